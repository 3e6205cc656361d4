using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace AgentSight.Tests.Otlp;

/// <summary>
/// A real OTLP backend for the tests: the .NET Aspire dashboard, from the NuGet package
/// <c>Aspire.Dashboard.Sdk.linux-x64</c> (<see cref="Version"/>), restored once into a download cache outside the
/// repository (<c>/var/cache/agentsight-aspire</c>, or <c>AGENTSIGHT_ASPIRE_CACHE</c>) and started on free loopback
/// ports: its OTLP/gRPC and OTLP/HTTP receivers, and its UI with the JSON telemetry API
/// (<c>/api/telemetry/traces</c>), without authentication.
/// </summary>
public sealed class AspireDashboard : IAsyncDisposable
{
    public const string Version = "13.6.5";

    private static readonly SemaphoreSlim InstallGate = new(1, 1);
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private AspireDashboard(Process process, int uiPort, int grpcPort, int httpPort)
    {
        _process = process;
        UiUrl = $"http://127.0.0.1:{uiPort}";
        GrpcUrl = $"http://127.0.0.1:{grpcPort}";
        HttpUrl = $"http://127.0.0.1:{httpPort}";
    }

    public string UiUrl { get; }

    public string GrpcUrl { get; }

    public string HttpUrl { get; }

    public static string CacheRoot =>
        Environment.GetEnvironmentVariable("AGENTSIGHT_ASPIRE_CACHE") is { Length: > 0 } root ? root : "/var/cache/agentsight-aspire";

    public static string Executable =>
        Path.Combine(CacheRoot, "packages", "aspire.dashboard.sdk.linux-x64", Version, "tools", "Aspire.Dashboard");

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Restores the package when the cache lacks it (<c>dotnet restore</c> of a one-line project with a <c>PackageDownload</c>).</summary>
    public static async Task EnsureInstalledAsync()
    {
        if (File.Exists(Executable))
        {
            return;
        }
        await InstallGate.WaitAsync();
        try
        {
            if (File.Exists(Executable))
            {
                return;
            }
            var project = Path.Combine(CacheRoot, "restore");
            Directory.CreateDirectory(project);
            await File.WriteAllTextAsync(Path.Combine(project, "aspire-dashboard.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <TargetFramework>net10.0</TargetFramework>
                    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageDownload Include="Aspire.Dashboard.Sdk.linux-x64" Version="[{Version}]" />
                  </ItemGroup>
                </Project>
                """);
            // Outside the repository: no Directory.Build.props or central package versions of ours apply.
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = project };
            foreach (var arg in new[] { "restore", "--packages", Path.Combine(CacheRoot, "packages"), "-v", "q" })
            {
                start.ArgumentList.Add(arg);
            }
            using var restore = Process.Start(start)!;
            var stdout = restore.StandardOutput.ReadToEndAsync();
            var stderr = restore.StandardError.ReadToEndAsync();
            await restore.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(10));
            if (restore.ExitCode != 0 || !File.Exists(Executable))
            {
                throw new InvalidOperationException(
                    $"The Aspire dashboard {Version} is not in {CacheRoot} and `dotnet restore` of Aspire.Dashboard.Sdk.linux-x64 failed (exit {restore.ExitCode}; it needs NuGet):\n{await stdout}\n{await stderr}");
            }
        }
        finally
        {
            InstallGate.Release();
        }
    }

    /// <summary>Starts a dashboard on free ports (OTLP/HTTP on <paramref name="httpPort"/> when given) and waits until its API answers.</summary>
    public static async Task<AspireDashboard> StartAsync(int? httpPort = null)
    {
        await EnsureInstalledAsync();
        var (ui, grpc, http) = (FreePort(), FreePort(), httpPort ?? FreePort());
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(Executable)!,
        };
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{ui}";
        start.Environment["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://127.0.0.1:{grpc}";
        start.Environment["ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL"] = $"http://127.0.0.1:{http}";
        start.Environment["ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS"] = "true";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var process = Process.Start(start)!;
        var dashboard = new AspireDashboard(process, ui, grpc, http);
        process.OutputDataReceived += (_, e) => dashboard.Append(e.Data);
        process.ErrorDataReceived += (_, e) => dashboard.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The Aspire dashboard exited ({process.ExitCode}) at start:\n{dashboard.Output}");
            }
            try
            {
                if ((await client.GetAsync($"{dashboard.UiUrl}/api/telemetry/traces")).IsSuccessStatusCode
                    && dashboard.Output.Contains("OTLP/HTTP listening", StringComparison.Ordinal))
                {
                    return dashboard;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            await Task.Delay(200);
        }
        await dashboard.DisposeAsync();
        throw new TimeoutException($"The Aspire dashboard did not answer within 60 s:\n{dashboard.Output}");
    }

    /// <summary>Every span the dashboard holds, flattened: each with its resource's attributes.</summary>
    public async Task<IReadOnlyList<ReceivedSpan>> SpansAsync()
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var json = JsonNode.Parse(await client.GetStringAsync($"{UiUrl}/api/telemetry/traces?limit=10000"))!;
        var spans = new List<ReceivedSpan>();
        foreach (var resourceSpans in json["data"]!["resourceSpans"]!.AsArray())
        {
            var resource = Attributes(resourceSpans!["resource"]?["attributes"]);
            foreach (var scope in resourceSpans["scopeSpans"]!.AsArray())
            {
                foreach (var span in scope!["spans"]!.AsArray())
                {
                    spans.Add(new ReceivedSpan(
                        Hex(span!["traceId"]), Hex(span["spanId"]), span["parentSpanId"] is { } parent ? Hex(parent) : null,
                        (string)span["name"]!, span["kind"]?.ToString(), span["startTimeUnixNano"]?.ToString(), span["endTimeUnixNano"]?.ToString(),
                        span["status"]?.ToJsonString(), Attributes(span["attributes"]), resource));
                }
            }
        }
        return spans;
    }

    /// <summary>Waits until <paramref name="done"/> holds for the spans received (exports are asynchronous).</summary>
    public async Task<IReadOnlyList<ReceivedSpan>> WaitForSpansAsync(Func<IReadOnlyList<ReceivedSpan>, bool> done, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        IReadOnlyList<ReceivedSpan> spans;
        do
        {
            spans = await SpansAsync();
            if (done(spans))
            {
                return spans;
            }
            await Task.Delay(250);
        }
        while (deadline.Elapsed < (timeout ?? TimeSpan.FromSeconds(20)));
        return spans;
    }

    public async Task<JsonNode> LogsAsync()
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        return JsonNode.Parse(await client.GetStringAsync($"{UiUrl}/api/telemetry/logs?limit=10000"))!;
    }

    /// <summary>
    /// The API gives ids as lowercase hex in this version; base64 (the protobuf JSON mapping) is turned into hex, so the
    /// tests compare with the ids they gave either way.
    /// </summary>
    private static string Hex(JsonNode? node)
    {
        var text = node!.GetValue<string>();
        if (text.All(char.IsAsciiHexDigit) && text.Length is 16 or 32)
        {
            return text.ToLowerInvariant();
        }
        return Convert.ToHexStringLower(Convert.FromBase64String(text));
    }

    private static Dictionary<string, string> Attributes(JsonNode? list)
    {
        var result = new Dictionary<string, string>();
        foreach (var attribute in list?.AsArray() ?? [])
        {
            var value = attribute!["value"]!.AsObject().FirstOrDefault();
            result[(string)attribute["key"]!] = value.Value is JsonValue scalar ? scalar.ToString() : value.Value?.ToJsonString() ?? "";
        }
        return result;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    /// <summary>True when nothing listens on <paramref name="port"/> of 127.0.0.1 (it may be taken by the time it is used).</summary>
    internal static bool IsFree(int port)
    {
        try
        {
            var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        _process.Dispose();
    }
}

/// <summary>A span as the dashboard received it.</summary>
public sealed record ReceivedSpan(string TraceId, string SpanId, string? ParentSpanId, string Name, string? Kind, string? Start, string? End,
    string? Status, IReadOnlyDictionary<string, string> Attributes, IReadOnlyDictionary<string, string> Resource);
