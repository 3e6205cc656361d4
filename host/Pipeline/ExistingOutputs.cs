using AgentSight.Contracts;

namespace AgentSight.Host.Pipeline;

/// <summary>
/// One rule for outputs that already hold something, decided before any sink opens anything: every sink that writes
/// a file answers <see cref="IOutputPreflight.CheckOutput"/>. When one of the run's outputs exists, the run goes on only
/// if every output sink does the same with what it finds (all add a new run, or all replace); otherwise nothing starts,
/// and the message names the files and the ways out. So <c>-o session.jsonl</c> never appends to the <c>.jsonl</c>
/// while the store refuses the <c>.db</c> beside it. docs/MANIFEST.md, "Existing outputs".
/// </summary>
internal static class ExistingOutputs
{
    /// <summary>What the run will do with existing outputs, or null when none exists.</summary>
    public static Decision? Decide(PipelinePlan plan)
    {
        var checks = new List<(StagePlan Stage, OutputCheck Check)>();
        foreach (var stage in plan.Sinks)
        {
            if (stage.Factory is IOutputPreflight preflight && preflight.CheckOutput(stage.Config) is { } check)
            {
                checks.Add((stage, check));
            }
        }
        var existing = checks.Where(c => c.Check.Exists).ToList();
        if (existing.Count == 0)
        {
            return null;
        }
        var files = string.Join(" and ", existing.Select(c => c.Check.Path).Distinct(StringComparer.Ordinal));
        if (checks.All(c => c.Check.WhenExisting == ExistingOutput.Append))
        {
            return new Decision(false, $"{files} already {(existing.Count == 1 ? "holds" : "hold")} a session: adding this run after it "
                + $"({string.Join(", ", checks.Select(c => c.Stage.Id))})");
        }
        if (checks.All(c => c.Check.WhenExisting == ExistingOutput.Replace))
        {
            return new Decision(false, $"{files} already {(existing.Count == 1 ? "holds" : "hold")} a session: replacing it with this run "
                + $"({string.Join(", ", checks.Select(c => c.Stage.Id))})");
        }
        var what = string.Join("; ", checks.Select(c => $"{c.Stage.Id} {Does(c.Check)}"));
        var replace = string.Join(' ', checks.Where(c => c.Check.Switch is not null).Select(c => $"--set {c.Stage.Id}.{c.Check.Switch}"));
        return new Decision(true, $"{files} already {(existing.Count == 1 ? "holds" : "hold")} a session, and this run's outputs would not "
            + $"treat it alike ({what}); nothing was started. Give -o a new file, or remove {files}"
            + (replace.Length > 0 && checks.All(c => c.Check.WhenExisting == ExistingOutput.Replace || c.Check.Switch is not null)
                ? $", or replace every output with {replace}"
                : string.Empty));
    }

    private static string Does(OutputCheck check) => (check.WhenExisting, check.Exists) switch
    {
        (ExistingOutput.Append, true) => $"would add to {check.Path}",
        (ExistingOutput.Replace, true) => $"would replace {check.Path}",
        (ExistingOutput.Refuse, true) => $"will not overwrite {check.Path}",
        _ => $"would start {check.Path} anew",
    };

    /// <summary>The outcome: a refusal (nothing starts) or what the run does, in one line.</summary>
    internal sealed record Decision(bool Refused, string Message);
}
