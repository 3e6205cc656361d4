using System.Text.Json;
using AgentSight.Contracts;
using AgentSight.Plugins.Web.Server;
using AgentSight.Plugins.Web.Session;
using Microsoft.Extensions.Logging;

namespace AgentSight.Plugins.Web;

/// <summary>
/// Indexes every event of the session in memory and serves it to the browser while the session runs; at the end,
/// optionally prints the session's report.
/// </summary>
/// <remarks>
/// <see cref="Write"/> runs on the sink's task and only adds to the index (no I/O), so the UI never slows the
/// pipeline beyond the index's write lock. A per-event failure is counted, never thrown: a restart would lose the
/// whole index.
/// </remarks>
internal sealed class WebSink : ISink, IAsyncDisposable
{
    /// <summary>Counter of events the index could not take (a bug; the event stays in every other sink).</summary>
    public const string IndexFailuresCounter = "index_failures";

    private readonly WebSinkConfig _config;
    private readonly IStageContext _context;
    private readonly TimeProvider _time;
    private readonly TextWriter _reportOut;
    private readonly Counter _indexFailures;
    private readonly SessionIndex _index;
    private WebServer? _server;
    private bool _stopped;

    internal WebSink(WebSinkConfig config, IStageContext context, TimeProvider time, TextWriter reportOut)
    {
        _config = config;
        _context = context;
        _time = time;
        _reportOut = reportOut;
        _indexFailures = context.Counter(IndexFailuresCounter);
        _index = new SessionIndex(config.MaxEvents);
    }

    /// <summary>The index, for tests.</summary>
    internal SessionIndex Index => _index;

    /// <summary>The address the UI is served on, once started with a server.</summary>
    internal Uri? Address => _server?.Address;

    /// <summary>The address to open, with its token (what the log prints).</summary>
    internal Uri? LaunchAddress => _server?.LaunchAddress;

    /// <summary>The access token, or null without auth or server.</summary>
    internal string? Token => _server?.Token;

    /// <inheritdoc />
    public async ValueTask StartAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_stopped, this);
        if (!_config.Server || _server is not null)
        {
            return;
        }
        var server = new WebServer(_config, _index, _context, _time);
        await server.StartAsync(cancellationToken);
        _server = server;
        // With the token: this line is how the user (and scripts) get it.
        _context.Logger.LogInformation("Web UI: {Address}", server.LaunchAddress);
        Announce(server.LaunchAddress);
    }

    /// <summary>Writes the address with its token into <c>announce_file</c>: the file is the owner's only (a new one 0600).</summary>
    private void Announce(Uri? address)
    {
        if (_config.AnnounceFile is not { } path || address is null)
        {
            return;
        }
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }
            using var stream = new FileStream(path, options);
            using var writer = new StreamWriter(stream);
            writer.WriteLine(address.ToString());
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Only finding the UI from elsewhere (agentsight top) depends on it; the session goes on.
            _context.Logger.LogWarning("Could not write the UI's address to {File}: {Reason}", path, ex.Message);
        }
    }

    private void Unannounce()
    {
        if (_config.AnnounceFile is { } path)
        {
            try
            {
                File.Delete(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _context.Logger.LogWarning("Could not remove {File}: {Reason}", path, ex.Message);
            }
        }
    }

    /// <inheritdoc />
    public void Write(ReadOnlyEvent evt)
    {
        try
        {
            var line = evt.JsonLine;
            // The line without its line feed: what the event log shows and searches.
            var json = line[..^1].ToArray();
            _index.Add(evt, json, _time.GetUtcNow().ToUnixTimeMilliseconds());
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or ArgumentException or FormatException)
        {
            _indexFailures.Add();
            _context.Logger.LogWarning(ex, "The web UI could not index event {Event}", evt);
        }
    }

    /// <inheritdoc />
    public ValueTask FlushAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public async ValueTask StopAsync(CancellationToken cancellationToken)
    {
        if (_stopped)
        {
            return;
        }
        _stopped = true;
        if (_config.Report != WebReportFormat.None)
        {
            var pipeline = PipelineViews.From(_context.Metrics.Snapshot(), _index.Recorded(ApiJson.Options));
            var report = _index.Report(pipeline, _context.StageId, _config.SlowestCalls);
            if (_config.Report == WebReportFormat.Json)
            {
                await _reportOut.WriteLineAsync(JsonSerializer.Serialize(report, ApiJson.Indented));
            }
            else
            {
                await _reportOut.WriteAsync(ReportText.Format(report));
            }
            await _reportOut.FlushAsync(cancellationToken);
        }
        if (_server is not null)
        {
            Unannounce();
            await _server.DisposeAsync();
            _server = null;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            Unannounce();
            await _server.DisposeAsync();
            _server = null;
        }
        _index.Dispose();
    }
}
