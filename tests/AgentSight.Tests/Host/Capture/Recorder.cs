using AgentSight.Tests.Support;

namespace AgentSight.Tests.Capture;

/// <summary>
/// Runs the real host's capture commands as a user would, with a pipeline of its own (a file sink only), so that
/// what the tests read is exactly what the kernel saw, whatever analyzers the default manifest gains.
/// </summary>
internal sealed class Recorder : IDisposable
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(120);

    private Recorder(TempFolder folder)
    {
        Folder = folder;
        Plugins = Artifacts.MakePluginsFolder(folder, "console", "file");
        Manifest = Manifests.Write(folder,
            """{ "plugin": "console", "enabled": false }""",
            """{ "plugin": "file", "enabled": false, "config": { "path": "events.jsonl" } }""");
    }

    public TempFolder Folder { get; }

    public string Plugins { get; }

    public string Manifest { get; }

    public static Recorder Create(
        [System.Runtime.CompilerServices.CallerMemberName] string caller = "",
        [System.Runtime.CompilerServices.CallerFilePath] string file = "")
    {
        CaptureEnvironment.Require();
        return new Recorder(TempFolder.ForCaller(caller, file));
    }

    /// <summary>The global options that point the host at this recorder's pipeline.</summary>
    public string[] Global => ["--plugins", Plugins, "--manifest", Manifest];

    /// <summary><c>record [options] -o SESSION -- command…</c> to the end.</summary>
    public async Task<RecordResult> RecordAsync(IEnumerable<string> options, params string[] command)
    {
        var session = Folder.Combine($"session-{Guid.NewGuid():N}.jsonl");
        string[] args = [.. Global, "record", "-o", session, "--no-summary", .. options, "--", .. command];
        var (code, stdout, stderr) = await HostProcess.RunAsync(args, Folder.Path, DefaultTimeout);
        return new RecordResult(code, stdout, stderr, CapturedEvent.ReadSession(session), session);
    }

    /// <summary>Starts a capture command that runs until signalled; the caller waits for <c>ready</c> on stderr.</summary>
    public HostProcess Start(params string[] args) => HostProcess.Start([.. Global, .. args], Folder.Path);

    public void Dispose() => Folder.Dispose();
}

/// <summary>How a recording ended, and what it holds.</summary>
internal sealed record RecordResult(int ExitCode, string Stdout, string Stderr, List<CapturedEvent> Events, string Session)
{
    public IEnumerable<CapturedEvent> Ssl => Events.Where(e => e.IsSsl);

    public IEnumerable<CapturedEvent> Process(string kind) => Events.Where(e => e.Source == "process" && e.Kind == kind);

    /// <summary>For assertion messages: how it ended and what the host said.</summary>
    public string Explain() => $"exit {ExitCode}; {Events.Count} events; stderr:\n{Stderr}";
}
