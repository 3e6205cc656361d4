using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using AgentSight.Contracts;
using AgentSight.Plugins.Web.Session;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AgentSight.Plugins.Web.Server;

/// <summary>Kestrel, inside the plugin: the embedded UI, a small JSON API over the session index, and live updates (SSE).</summary>
/// <remarks>
/// Security: every request needs the run's access token (<see cref="AccessGate"/>: other local users cannot read the
/// session), unless <c>auth</c> is off; only embedded files and known API paths answer, everything else is 404;
/// requests whose Host header is not one of the server's own names or addresses are refused (<see cref="HostCheck"/>:
/// a page on another origin cannot reach the API through DNS rebinding); no CORS header is ever sent, so other
/// origins cannot read answers.
/// </remarks>
internal sealed partial class WebServer : IAsyncDisposable
{
    private static readonly UiAssets Assets = new(typeof(WebServer).Assembly);

    private readonly WebSinkConfig _config;
    private readonly SessionIndex _index;
    private readonly IStageContext _context;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stopping = new();
    private WebApplication? _app;
    private HostCheck? _hosts;
    private AccessGate? _access;

    public WebServer(WebSinkConfig config, SessionIndex index, IStageContext context, TimeProvider time)
    {
        _config = config;
        _index = index;
        _context = context;
        _time = time;
    }

    /// <summary>The UI's address, e.g. <c>http://127.0.0.1:7395/</c>.</summary>
    public Uri? Address { get; private set; }

    /// <summary>The address to open: with the token, e.g. <c>http://127.0.0.1:7395/?token=…</c> (without auth, <see cref="Address"/>).</summary>
    public Uri? LaunchAddress { get; private set; }

    /// <summary>The access token, or null without auth.</summary>
    public string? Token => _access?.Token;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var address = _config.Address;
        if (!IPAddress.IsLoopback(address))
        {
            _context.Logger.LogWarning("The web UI listens on {Address}, which is not a loopback address: anyone who can reach it sees the session's decrypted traffic", address);
        }
        // Read before listening: a token file that went missing stops the run before the port opens.
        var token = _config.Auth ? _config.ChosenToken() ?? AccessGate.NewToken() : null;
        if (token is null)
        {
            _context.Logger.LogWarning("The web UI has no access control (--no-auth): every user of this machine can read the session");
        }
        if (Assets.Count == 0)
        {
            throw new InvalidOperationException("the web plugin was built without its UI (no embedded files); rebuild it with Node.js and npm installed (scripts/setup)");
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = "agentsight-web",
            EnvironmentName = Environments.Production,
            ContentRootPath = AppContext.BaseDirectory,
            Args = [],
        });
        // Only what this plugin says: no ASPNETCORE_URLS or appsettings can move the server to another address.
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new StageLoggerProvider(_context.Logger));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(3));
        builder.WebHost.ConfigureKestrel(options =>
        {
            options.AddServerHeader = false;
            options.Limits.MaxRequestBodySize = 0;
            options.Listen(address, _config.Port);
        });
        var app = builder.Build();
        app.Run(HandleAsync);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException ex) when (ex.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } || ex.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
        {
            await app.DisposeAsync();
            throw new IOException($"the web UI cannot listen on {Format(address, _config.Port)}: the port is in use (choose another with --port N, or turn the UI off with --no-server)", ex);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        _app = app;
        var port = BoundPort(app) ?? _config.Port;
        Address = new Uri(Format(address, port));
        _access = token is null ? null : new AccessGate(token, port);
        LaunchAddress = token is null ? Address : new Uri($"{Address}?{AccessGate.QueryName}={token}");
        _hosts = new HostCheck(address, port, _time);
    }

    private static int? BoundPort(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses;
        var first = addresses?.FirstOrDefault();
        return first is not null && Uri.TryCreate(first, UriKind.Absolute, out var uri) ? uri.Port : null;
    }

    private static string Format(IPAddress address, int port) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 ? $"http://[{address}]:{port}/" : $"http://{address}:{port}/";

    private async Task HandleAsync(HttpContext ctx)
    {
        var response = ctx.Response;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.XFrameOptions = "DENY";
        response.Headers.ContentSecurityPolicy =
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

        if (_hosts is null || !_hosts.Allows(ctx.Request.Host.Value))
        {
            await Text(ctx, StatusCodes.Status403Forbidden, "Forbidden: this server answers only to its own address (Host header).");
            return;
        }
        var path = ctx.Request.Path.Value ?? "/";
        var access = _access?.Check(ctx) ?? Access.Allowed;
        if (access == Access.Denied)
        {
            response.Headers.WWWAuthenticate = "Bearer realm=\"agentsight\"";
            await Text(ctx, StatusCodes.Status401Unauthorized,
                "Unauthorized: open the full address agentsight printed when it started (http://…/?token=…), or send the token as Authorization: Bearer TOKEN.");
            return;
        }
        if (!HttpMethods.IsGet(ctx.Request.Method) && !HttpMethods.IsHead(ctx.Request.Method))
        {
            await Text(ctx, StatusCodes.Status404NotFound, "Not found.");
            return;
        }
        if (access == Access.FromQuery && !path.StartsWith("/api/", StringComparison.Ordinal))
        {
            // The page opened from the printed URL: the cookie is set; the same page again without the token.
            response.StatusCode = StatusCodes.Status303SeeOther;
            response.Headers.Location = AccessGate.WithoutToken(ctx.Request);
            response.Headers.CacheControl = "no-store";
            return;
        }
        try
        {
            if (path.StartsWith("/api/", StringComparison.Ordinal))
            {
                await ApiAsync(ctx, path);
                return;
            }
            if (Assets.Find(path) is { } asset)
            {
                response.ContentType = asset.ContentType;
                response.Headers.CacheControl = asset.Immutable ? "public, max-age=31536000, immutable" : "no-cache";
                response.ContentLength = asset.Bytes.Length;
                if (!HttpMethods.IsHead(ctx.Request.Method))
                {
                    await response.Body.WriteAsync(asset.Bytes, ctx.RequestAborted);
                }
                return;
            }
            await Text(ctx, StatusCodes.Status404NotFound, "Not found.");
        }
        catch (BadQueryException ex)
        {
            await Text(ctx, StatusCodes.Status400BadRequest, ex.Message);
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested || _stopping.IsCancellationRequested)
        {
            // The browser went away, or the session is ending.
        }
    }

    private async Task ApiAsync(HttpContext ctx, string path)
    {
        var query = new QueryReader(ctx.Request.Query);
        var segments = path["/api/".Length..].Split('/');
        object? result = segments switch
        {
            ["session"] => _index.Info(),
            ["overview"] => _index.Overview(Pipeline(), _context.StageId),
            ["events"] => _index.Events(query.EventFilter(), query.Long("before"), query.Int("limit", 100, 1, 1000)),
            ["events", var seq] when long.TryParse(seq, NumberStyles.None, CultureInfo.InvariantCulture, out var n) => _index.Event(n),
            ["llm"] => _index.Calls(query.Text("model"), query.OptionalInt("process"), query.Matcher("q"), query.Text("sort") ?? "time",
                query.Int("offset", 0, 0, int.MaxValue), query.Int("limit", 50, 1, 500)),
            ["llm", var id] when int.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var n) => _index.Call(n),
            ["mcp"] => _index.McpCalls(query.Text("server"), query.OptionalInt("process"), query.OptionalBool("errors"), query.Matcher("q"),
                query.Text("sort") ?? "time", query.Int("offset", 0, 0, int.MaxValue), query.Int("limit", 50, 1, 500)),
            ["mcp", var id] when int.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var n) => _index.McpCallDetail(n),
            ["processes"] => _index.Processes(),
            ["processes", var id] when int.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var n) => _index.Process(n),
            ["network"] => _index.Connections(query.OptionalInt("process"), query.Text("host"), query.OptionalBool("unseen"),
                query.Int("offset", 0, 0, int.MaxValue), query.Int("limit", 500, 1, 5000)),
            ["timeline"] => _index.Timeline(query.Long("from"), query.Long("to"), query.Int("bins", 200, 10, 2000)),
            ["trace"] => _index.Trace(),
            ["pipeline"] => Pipeline(),
            ["access"] => new AccessView(_access is not null),
            ["live"] => null,
            _ => NotFound.Instance,
        };
        if (segments is ["live"])
        {
            await LiveAsync(ctx);
            return;
        }
        if (result is null or NotFound)
        {
            await Text(ctx, StatusCodes.Status404NotFound, "Not found.");
            return;
        }
        ctx.Response.ContentType = "application/json; charset=utf-8";
        ctx.Response.Headers.CacheControl = "no-store";
        await JsonSerializer.SerializeAsync(ctx.Response.Body, result, result.GetType(), ApiJson.Options, ctx.RequestAborted);
    }

    private PipelineView Pipeline() => PipelineViews.From(_context.Metrics.Snapshot(), _index.Recorded(ApiJson.Options));

    /// <summary>
    /// Server-sent events: a <c>summary</c> at once and whenever something changed, and the new events' rows
    /// (<c>events</c>, at most 200 per push), every <c>live_interval_ms</c>, until the browser leaves or the session ends.
    /// </summary>
    private async Task LiveAsync(HttpContext ctx)
    {
        ctx.Response.ContentType = "text/event-stream";
        ctx.Response.Headers.CacheControl = "no-store";
        ctx.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, _stopping.Token);
        var token = linked.Token;
        var sent = ctx.Request.Query.TryGetValue("after", out var after) && long.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out var a)
            ? a : _index.LastSeq;
        long lastDrops = -1;
        var lastSummarySeq = -1L;
        var heartbeat = _time.GetTimestamp();
        await ctx.Response.WriteAsync("retry: 1000\n\n", token);
        while (!token.IsCancellationRequested)
        {
            var (rows, skipped) = _index.EventsAfter(sent, 200);
            var drops = _index.DropTotal(Pipeline(), _context.StageId);
            if (rows.Count > 0 || drops != lastDrops || lastSummarySeq != _index.LastSeq)
            {
                if (rows.Count > 0)
                {
                    sent = rows[^1].Seq;
                    await Send(ctx, "events", new { skipped, rows }, token);
                }
                lastDrops = drops;
                lastSummarySeq = _index.LastSeq;
                await Send(ctx, "summary", _index.Live(drops, _time.GetUtcNow().ToUnixTimeMilliseconds()), token);
                heartbeat = _time.GetTimestamp();
            }
            else if (_time.GetElapsedTime(heartbeat) > TimeSpan.FromSeconds(15))
            {
                // A comment line keeps proxies and idle timeouts from closing a quiet stream.
                await ctx.Response.WriteAsync(": keep-alive\n\n", token);
                await ctx.Response.Body.FlushAsync(token);
                heartbeat = _time.GetTimestamp();
            }
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(_config.LiveIntervalMs), _time, token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private static async Task Send(HttpContext ctx, string name, object value, CancellationToken token)
    {
        var json = JsonSerializer.Serialize(value, ApiJson.Options);
        await ctx.Response.WriteAsync($"event: {name}\ndata: {json}\n\n", token);
        await ctx.Response.Body.FlushAsync(token);
    }

    private static async Task Text(HttpContext ctx, int status, string message)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "text/plain; charset=utf-8";
        ctx.Response.Headers.CacheControl = "no-store";
        await ctx.Response.WriteAsync(message + "\n", ctx.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stopping.IsCancellationRequested)
        {
            await _stopping.CancelAsync();
        }
        if (_app is not null)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await _app.StopAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _context.Logger.LogWarning("The web server did not stop within 5 s; closing it");
            }
            await _app.DisposeAsync();
            _app = null;
        }
        _stopping.Dispose();
    }

    /// <summary>What <c>/api/access</c> says: whether requests need the token (false: the page warns).</summary>
    private sealed record AccessView(bool Auth);

    /// <summary>Marks an API path that names nothing.</summary>
    private sealed class NotFound
    {
        public static readonly NotFound Instance = new();
    }
}
