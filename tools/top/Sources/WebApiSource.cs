using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using AgentSight.Top.Model;

namespace AgentSight.Top.Sources;

/// <summary>
/// Reads a running recording through the web plugin's API (<c>/api/session</c>, <c>/api/processes</c>,
/// <c>/api/overview</c>), as the browser does: with the run's token as a bearer header. Only reads; the recording never
/// notices whether anyone watches.
/// </summary>
/// <remarks>
/// The processes and the overview are fetched again only when the session moved on (its last event's number changed),
/// so an idle recording costs one small request per refresh; CPU and RSS are read from <c>/proc</c> on every refresh
/// when the recording runs on this machine.
/// </remarks>
public sealed class WebApiSource : IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);

    private readonly Func<WebApiEndpoint?> _endpoint;
    private readonly ProcResources? _resources;
    private readonly TimeProvider _time;
    private HttpClient? _http;
    private WebApiEndpoint? _connectedTo;
    private long _lastSeq = -1;
    private SessionSnapshot? _last;

    /// <param name="endpoint">Where the API is; asked again until it gives one (an own capture announces its address once it listens).</param>
    /// <param name="readResources">Read CPU and RSS of the pids from this machine's <c>/proc</c>.</param>
    /// <param name="time">The clock.</param>
    public WebApiSource(Func<WebApiEndpoint?> endpoint, bool readResources, TimeProvider? time = null)
    {
        _endpoint = endpoint;
        _resources = readResources ? new ProcResources() : null;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The endpoint read from, once known.</summary>
    public WebApiEndpoint? Endpoint => _connectedTo;

    public async Task<SourceReading> ReadAsync(CancellationToken cancellationToken)
    {
        var at = _time.GetUtcNow();
        if (_connectedTo is null)
        {
            var endpoint = _endpoint();
            if (endpoint is null)
            {
                return new SourceReading(null, "waiting for the recording's web server to listen", at);
            }
            _connectedTo = endpoint;
            _http = new HttpClient { BaseAddress = endpoint.BaseAddress, Timeout = RequestTimeout };
            if (endpoint.Token is not null)
            {
                _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", endpoint.Token);
            }
        }
        try
        {
            using var session = await GetAsync("api/session", cancellationToken);
            var lastSeq = Long(session.RootElement, "last_seq");
            var events = Long(session.RootElement, "events");
            SessionSnapshot snapshot;
            if (_last is null || lastSeq != _lastSeq)
            {
                using var processes = await GetAsync("api/processes", cancellationToken);
                using var overview = await GetAsync("api/overview", cancellationToken);
                snapshot = Read(processes.RootElement, overview.RootElement, events);
                _lastSeq = lastSeq;
            }
            else
            {
                snapshot = _last;
            }
            if (_resources is not null)
            {
                snapshot = snapshot with { Resources = _resources.Read(snapshot.Processes) };
            }
            _last = snapshot;
            return new SourceReading(snapshot, null, at);
        }
        catch (HttpRequestException ex)
        {
            return new SourceReading(null, ex.StatusCode switch
            {
                HttpStatusCode.Unauthorized => $"{_connectedTo} refused the token (401): give the address the recording printed (--url http://…/?token=…) or --token-file FILE",
                HttpStatusCode.Forbidden => $"{_connectedTo} refused the request (403): use the address as the recording printed it (127.0.0.1 or localhost)",
                { } status => $"{_connectedTo} answered {(int)status} {status}",
                null => $"cannot reach {_connectedTo}: {ex.InnerException?.Message ?? ex.Message}",
            }, at);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new SourceReading(null, $"{_connectedTo} did not answer within {RequestTimeout.TotalSeconds:0} s", at);
        }
        catch (JsonException ex)
        {
            return new SourceReading(null, $"{_connectedTo} answered something that is not the AgentSight API ({ex.Message})", at);
        }
    }

    private async Task<JsonDocument> GetAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await _http!.GetAsync(path, HttpCompletionOption.ResponseContentRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException(response.ReasonPhrase, null, response.StatusCode);
        }
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        return await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
    }

    /// <summary>The snapshot of an <c>/api/processes</c> and an <c>/api/overview</c> answer.</summary>
    public static SessionSnapshot Read(JsonElement processes, JsonElement overview, long events)
    {
        var network = new Dictionary<int, (List<string> Hosts, long Failed, long Unseen)>();
        if (overview.TryGetProperty("network", out var net) && net.TryGetProperty("processes", out var perProcess) && perProcess.ValueKind == JsonValueKind.Array)
        {
            foreach (var p in perProcess.EnumerateArray())
            {
                var entry = (Hosts: new List<string>(), Failed: 0L, Unseen: 0L);
                if (p.TryGetProperty("hosts", out var hosts) && hosts.ValueKind == JsonValueKind.Array)
                {
                    foreach (var host in hosts.EnumerateArray())
                    {
                        if (Str(host, "host") is { Length: > 0 } name)
                        {
                            entry.Hosts.Add(name);
                        }
                        entry.Failed += Long(host, "failed_connects");
                        entry.Unseen += Long(host, "unseen");
                    }
                }
                network[(int)Long(p, "process_id")] = entry;
            }
        }
        var samples = new List<ProcessSample>();
        if (processes.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array)
        {
            foreach (var p in items.EnumerateArray())
            {
                var id = (int)Long(p, "id");
                network.TryGetValue(id, out var net2);
                samples.Add(new ProcessSample(id, (int)Long(p, "pid"), IntOrNull(p, "parent_id"), Str(p, "comm") ?? "",
                    Str(p, "command_line") ?? Str(p, "comm") ?? "", Long(p, "start_ns"),
                    p.TryGetProperty("end_ns", out var end) && end.ValueKind == JsonValueKind.Number,
                    IntOrNull(p, "exit_code"), IntOrNull(p, "signal"), Long(p, "llm_calls"), Long(p, "input_tokens"), Long(p, "output_tokens"),
                    p.TryGetProperty("children", out var children) && children.ValueKind == JsonValueKind.Array ? children.GetArrayLength() : 0,
                    (int)Long(p, "files_written"), (int)Long(p, "files_failed"), net2.Hosts ?? [], net2.Failed, net2.Unseen));
            }
        }
        long calls = 0, tokens = 0, lost = 0;
        var incomplete = false;
        if (overview.TryGetProperty("llm", out var llm))
        {
            calls = Long(llm, "calls");
            tokens = Long(llm, "input_tokens") + Long(llm, "output_tokens");
        }
        if (overview.TryGetProperty("drops", out var drops))
        {
            lost = Long(drops, "total");
            incomplete = drops.TryGetProperty("incomplete", out var inc) && inc.ValueKind == JsonValueKind.True;
        }
        return new SessionSnapshot(samples, events, calls, tokens, lost, incomplete, null);
    }

    private static long Long(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n : 0;

    private static int? IntOrNull(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) ? n : null;

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public void Dispose() => _http?.Dispose();
}
