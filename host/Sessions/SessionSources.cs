using System.CommandLine;
using AgentSight.Host.Manifest;
using AgentSight.Host.Pipeline;
using AgentSight.Host.Runners;
using AgentSight.Host.Runners.Replay;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentSight.Host.Sessions;

/// <summary>What <c>serve</c> and <c>report</c> share: the session argument, and how a session file becomes a pipeline.</summary>
internal sealed class SessionSources
{
    public Argument<string> Session { get; } = new("SESSION")
    {
        Description = "A recorded session: NDJSON (ours or the original tool's, as replay reads) or a .db written by the session-store plugin",
    };

    public Option<string> Analyze { get; } = new("--analyze")
    {
        Description = "Run the manifest's analyzers on the events: auto (only for NDJSON without analyzed events), yes or no",
        DefaultValueFactory = _ => "auto",
        HelpName = "WHEN",
    };

    public SessionSources() => Analyze.AcceptOnlyFromAmong("auto", "yes", "no");

    public void AddTo(Command command)
    {
        command.Arguments.Add(Session);
        command.Options.Add(Analyze);
    }

    /// <summary>Why the session cannot be read (one line), or null.</summary>
    public static string? Problem(string path) =>
        Directory.Exists(path) ? $"{path} is a directory; give a session file (.jsonl or .db)"
        : !File.Exists(path) ? $"no such session: {path}"
        : null;

    /// <summary>
    /// Checks a session database before anything starts, so that a damaged file is one line and exit code 1, and a
    /// database that is not a session one line and exit code 2, never an empty report. Null when it can be read (or is NDJSON).
    /// </summary>
    public static (string Message, int ExitCode)? Unreadable(string path, SessionFileKind kind) =>
        kind == SessionFileKind.SessionDatabase && SessionDatabase.Check(path) is { } problem
            ? (problem.Message, problem.Damaged ? Hosting.ExitCodes.Failure : Hosting.ExitCodes.Usage)
            : null;

    /// <summary>The overrides that make the manifest's pipeline end in the web plugin alone.</summary>
    public PipelineOverrides Overrides(ParseResult parse, string path, SessionFileKind kind)
    {
        var analyze = parse.GetValue(Analyze) switch
        {
            "yes" => true,
            "no" => false,
            // Stored sessions and analyzed recordings went through the analyzers already: again would double every call.
            _ => kind == SessionFileKind.Ndjson && !SessionFile.HoldsAnalyzedEvents(path),
        };
        return new PipelineOverrides { OnlySinks = ["web"], NoAnalyzers = !analyze };
    }

    /// <summary>The runner that reads the session onto the bus.</summary>
    /// <param name="services">The host's services.</param>
    /// <param name="path">The session file.</param>
    /// <param name="kind">What it is.</param>
    /// <param name="speed">For NDJSON: 0 reads as fast as possible, 1 at the pace it was recorded (to watch it live).</param>
    public static IRunner CreateRunner(IServiceProvider services, string path, SessionFileKind kind, double speed = 0) => kind == SessionFileKind.SessionDatabase
        ? new SessionDatabaseRunner(path, new EventTimeClock(), services.GetRequiredService<ILogger<SessionDatabaseRunner>>())
        : new ReplayRunner(new ReplayOptions { Path = path, Speed = speed }, new EventTimeClock(), services.GetRequiredService<ILogger<ReplayRunner>>(),
            services.GetRequiredService<TimeProvider>());
}
