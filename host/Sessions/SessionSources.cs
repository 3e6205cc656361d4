using System.CommandLine;
using AgentSight.Contracts;
using AgentSight.Host.Manifest;
using AgentSight.Host.Pipeline;
using AgentSight.Host.Plugins;
using AgentSight.Host.Runners;
using AgentSight.Host.Runners.Replay;
using AgentSight.Host.Runners.Stored;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentSight.Host.Sessions;

/// <summary>What <c>serve</c> and <c>report</c> share: the session argument, and how a session file becomes a pipeline.</summary>
internal sealed class SessionSources
{
    public Argument<string> Session { get; } = new("SESSION")
    {
        Description = "A recorded session: NDJSON (ours or the original tool's, as replay reads) or a file a plugin stored it in (the session-store plugin's .db)",
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
    /// Who reads <paramref name="path"/>: the first installed plugin whose factory is an <see cref="ISessionReader"/>
    /// and recognizes the file's header, or the host's replay (NDJSON) when none does; a binary file (a NUL byte in its
    /// header) that no plugin recognizes is refused rather than replayed as lines of garbage.
    /// </summary>
    public static SessionInput Open(PluginCatalog catalog, string path, PipelineManifest manifest)
    {
        var header = SessionFile.HeaderOf(path);
        foreach (var plugin in catalog.Plugins.Where(p => p.IsUsable))
        {
            // The manifest's pins hold here too: a plugin's code runs as soon as it is loaded.
            PipelineResolver.LoadPinned(catalog, plugin, manifest);
            if (plugin.Factory is ISessionReader reader && reader.Recognizes(header))
            {
                return new SessionInput(path, reader, plugin.Name, null);
            }
        }
        return new SessionInput(path, null, null, header.AsSpan().Contains((byte)0)
            ? $"{path} is not NDJSON, and no installed plugin reads it as a stored session (installed: "
                + $"{(catalog.Plugins.Count == 0 ? "none" : string.Join(", ", catalog.Plugins.Select(p => p.IsUsable ? p.Name : $"{p.Name}: {p.StatusText}")))})"
            : null);
    }

    /// <summary>
    /// Checks a stored session before anything starts, so that a damaged file is one line and exit code 1, and a file
    /// that is not a session one line and exit code 2, never an empty report. Null when it can be read (or is NDJSON).
    /// </summary>
    public static (string Message, int ExitCode)? Unreadable(SessionInput input) =>
        input.Unrecognized is { } unrecognized ? (unrecognized, Hosting.ExitCodes.Usage)
        : input.Reader?.Check(input.Path) is { } problem ? (problem.Message, problem.Damaged ? Hosting.ExitCodes.Failure : Hosting.ExitCodes.Usage)
        : null;

    /// <summary>The overrides that make the manifest's pipeline end in the web UI alone (the stages of its role).</summary>
    public static PipelineOverrides Overrides() => new() { OnlySinkRoles = [StageRoles.WebUi] };

    /// <summary>Whether the analyzers run, once it is known what the session is.</summary>
    public void ApplyAnalysis(ParseResult parse, SessionInput input, PipelineOverrides overrides)
    {
        var analyze = parse.GetValue(Analyze) switch
        {
            "yes" => true,
            "no" => false,
            // Stored sessions and analyzed recordings went through the analyzers already: again would double every call.
            _ => input.IsNdjson && !SessionFile.HoldsAnalyzedEvents(input.Path),
        };
        overrides.NoAnalyzers = !analyze;
    }

    /// <summary>
    /// Before the pipeline is planned: finds the session's reader, checks the file, and decides on the analyzers.
    /// Sets <paramref name="opened"/>; returns the message and exit code when the session cannot be read.
    /// </summary>
    public (string Message, int ExitCode)? Prepare(IServiceProvider services, ParseResult parse, string path, PipelineOverrides overrides,
        out SessionInput opened)
    {
        var manifest = services.GetRequiredService<PipelineLoader>().ReadManifest(new PipelineOverrides(), []);
        if (manifest is null)
        {
            // An unreadable or unsafe manifest: no plugin is loaded to look for a reader; planning the run reports it.
            opened = new SessionInput(path, null, null, null);
            return null;
        }
        opened = Open(services.GetRequiredService<PluginCatalog>(), path, manifest);
        if (Unreadable(opened) is { } unreadable)
        {
            return unreadable;
        }
        ApplyAnalysis(parse, opened, overrides);
        return null;
    }

    /// <summary>The runner that reads the session onto the bus.</summary>
    /// <param name="services">The host's services.</param>
    /// <param name="input">The session and its reader.</param>
    /// <param name="speed">For NDJSON: 0 reads as fast as possible, 1 at the pace it was recorded (to watch it live).</param>
    public static IRunner CreateRunner(IServiceProvider services, SessionInput input, double speed = 0) => input.Reader is { } reader
        ? new StoredSessionRunner(reader, input.Plugin!, input.Path, new EventTimeClock(),
            services.GetRequiredService<ILoggerFactory>().CreateLogger<StoredSessionRunner>())
        : new ReplayRunner(new ReplayOptions { Path = input.Path, Speed = speed }, new EventTimeClock(), services.GetRequiredService<ILogger<ReplayRunner>>(),
            services.GetRequiredService<TimeProvider>());
}
