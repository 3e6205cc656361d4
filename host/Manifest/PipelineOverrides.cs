using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentSight.Host.Manifest;

/// <summary>Changes to the manifest for one run, from the command line: <c>--enable</c>, <c>--disable</c>, <c>--set</c>.</summary>
internal sealed class PipelineOverrides
{
    public List<string> Enable { get; } = [];

    public List<string> Disable { get; } = [];

    /// <summary><c>--set STAGE.KEY=VALUE</c> texts, applied in order.</summary>
    public List<string> Set { get; } = [];

    /// <summary>Stages a command turns off by default when the manifest has them (no problem when it has not).</summary>
    public List<string> DisableIfPresent { get; } = [];

    /// <summary>Stages a command turns on by default when the manifest has them (no problem when it has not).</summary>
    public List<string> EnableIfPresent { get; } = [];

    /// <summary>
    /// Top-level config values a command sets by default when the manifest has the stage (its exact id). Applied
    /// before <c>--enable</c>, <c>--disable</c> and <c>--set</c>, so the user's own flags win.
    /// </summary>
    public List<(string Stage, string Key, JsonNode Value)> SetIfPresent { get; } = [];

    /// <summary>
    /// When set, the only sinks of this run, by plugin name (<c>serve</c> and <c>report</c> keep just <c>web</c>): each
    /// is enabled, and added with its defaults when the manifest has no stage for it; every other sink is left out
    /// once the plan is resolved (<see cref="PipelineLoader"/>). Analyzers stay as the manifest has them.
    /// </summary>
    public IReadOnlyList<string>? OnlySinks { get; set; }

    /// <summary>
    /// Leave the analyzers out of this run (a stored session's events were analyzed when it was recorded), except
    /// fail-closed ones (<c>on_error: drop</c>, such as redaction), which always run.
    /// </summary>
    public bool NoAnalyzers { get; set; }

    /// <summary>
    /// Leave out the analyzers of these plugins (by name), except fail-closed ones: <c>replay</c> of a recording that
    /// already holds their output leaves out the analyzers that would derive it a second time.
    /// </summary>
    public IReadOnlyList<string> LeaveOutAnalyzers { get; set; } = [];

    /// <summary>The shutdown bound for this run (<c>--shutdown-timeout</c>), over the manifest's <c>shutdown_timeout_s</c>.</summary>
    public TimeSpan? ShutdownTimeout { get; set; }

    /// <summary>Applies the overrides; reports each one that names no stage or is malformed.</summary>
    /// <returns>The manifest, with a stage added for each of <see cref="OnlySinks"/> it lacked.</returns>
    public PipelineManifest ApplyTo(PipelineManifest manifest, List<ManifestProblem> problems)
    {
        if (ShutdownTimeout is { } timeout)
        {
            manifest = manifest with { ShutdownTimeout = timeout };
        }
        if (OnlySinks is { } only)
        {
            var stages = manifest.Stages.ToList();
            foreach (var plugin in only)
            {
                var existing = stages.Where(s => string.Equals(s.Plugin, plugin, StringComparison.OrdinalIgnoreCase)).ToList();
                if (existing.Count == 0)
                {
                    stages.Add(new StageSpec { Position = stages.Count + 1, Id = plugin, Plugin = plugin });
                }
                foreach (var stage in existing)
                {
                    stage.Enabled = true;
                }
            }
            manifest = manifest with { Stages = stages };
        }
        foreach (var id in DisableIfPresent)
        {
            if (manifest.Find(id) is { } stage)
            {
                stage.Enabled = false;
            }
        }
        foreach (var id in EnableIfPresent)
        {
            if (manifest.Find(id) is { } stage)
            {
                stage.Enabled = true;
            }
        }
        foreach (var (id, key, value) in SetIfPresent)
        {
            if (manifest.Find(id) is { } stage)
            {
                (stage.Config ??= new JsonObject())[key] = value.DeepClone();
            }
        }
        foreach (var id in Disable)
        {
            WithStage(manifest, "--disable", id, problems, stage => stage.Enabled = false);
        }
        foreach (var id in Enable)
        {
            WithStage(manifest, "--enable", id, problems, stage => stage.Enabled = true);
        }
        foreach (var text in Set)
        {
            var equals = text.IndexOf('=', StringComparison.Ordinal);
            var target = equals < 0 ? text : text[..equals];
            // Stage ids may contain dots (plugins named like Acme.DropHealthChecks): the longest matching id wins.
            var stage = manifest.Stages
                .Where(s => target.Length > s.Id.Length + 1 && target.StartsWith(s.Id + ".", StringComparison.OrdinalIgnoreCase))
                .MaxBy(s => s.Id.Length);
            if (equals < 0 || target.Length == 0)
            {
                problems.Add(new ManifestProblem("--set " + text, null, null, "expected STAGE.KEY=VALUE, e.g. --set file.path=session.jsonl"));
                continue;
            }
            if (stage is null)
            {
                var dot = target.IndexOf('.', StringComparison.Ordinal);
                if (dot <= 0)
                {
                    problems.Add(new ManifestProblem("--set " + text, null, null, "expected STAGE.KEY=VALUE, e.g. --set file.path=session.jsonl"));
                    continue;
                }
                WithStage(manifest, "--set " + text, target[..dot], problems, _ => { });
                continue;
            }
            var keyPath = target[(stage.Id.Length + 1)..].Split('.');
            var value = ParseValue(text[(equals + 1)..]);
            var section = stage.Config ??= new JsonObject();
            foreach (var key in keyPath[..^1])
            {
                if (section[key] is not JsonObject child)
                {
                    child = new JsonObject();
                    section[key] = child;
                }
                section = child;
            }
            section[keyPath[^1]] = value;
        }
        return manifest;
    }

    /// <summary>JSON when the text is JSON (numbers, true, false, null, quoted strings, objects), otherwise a string.</summary>
    internal static JsonNode? ParseValue(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return JsonValue.Create(text);
        }
    }

    private static void WithStage(PipelineManifest manifest, string option, string id, List<ManifestProblem> problems, Action<StageSpec> change)
    {
        var stage = manifest.Find(id);
        if (stage is null)
        {
            var ids = manifest.Stages.Select(s => s.Id).ToList();
            problems.Add(new ManifestProblem(option, null, null,
                $"no stage \"{id}\" in {manifest.Path} (stages: {string.Join(", ", ids)}){Suggest.DidYouMean(id, ids)}"));
            return;
        }
        change(stage);
    }
}
