using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using AgentSight.Contracts;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.WebUi;

/// <summary>
/// Who may read the web UI (issue 18): only who holds the token the host prints, as a browser (the printed URL, then a
/// cookie) or a script (a bearer header). The real host serving a recorded session, real requests, real users.
/// </summary>
public sealed partial class WebAccessTests
{
    /// <summary>What a page, the API and the live stream answer: every one of them must be closed without the token.</summary>
    private static readonly string[] Paths = ["/", "/index.html", "/api/session", "/api/overview", "/api/llm", "/api/events", "/api/processes", "/api/live"];

    /// <summary>A string of the recorded session: no refused answer may hold it.</summary>
    private const string SessionText = "claude-opus";

    private static string Recording(TempFolder folder, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        var path = folder.Combine("session.jsonl");
        File.WriteAllLines(path, SessionEvents.AgentSession().Select(AgentEventJson.ToJson));
        File.SetUnixFileMode(path, mode);
        return path;
    }

    private static async Task<HostProcess> ServeAsync(string recording, params string[] options)
    {
        var host = HostProcess.Start(["serve", recording, "--port", "0", .. options]);
        await host.WaitForStderrAsync("serving until Ctrl+C", TimeSpan.FromSeconds(60));
        return host;
    }

    private static async Task StopAsync(HostProcess host)
    {
        host.Signal(2);
        Assert.Equal(0, await host.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    /// <summary>GET <paramref name="path"/>; the stream is not read to its end (the live feed has none).</summary>
    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(HttpClient http, string path, Action<HttpRequestMessage>? prove = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        prove?.Invoke(request);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var body = path == "/api/live" && response.IsSuccessStatusCode ? string.Empty : await response.Content.ReadAsStringAsync();
        return (response.StatusCode, body);
    }

    [Fact]
    public async Task Without_the_token_the_page_the_api_and_the_live_stream_are_401_and_show_nothing_of_the_session()
    {
        using var folder = TempFolder.ForCaller();
        using var host = await ServeAsync(Recording(folder));
        var printed = WebUiAddress.Printed(host.Stderr);
        var token = WebUiAddress.Token(printed);
        Assert.Matches("^[0-9a-f]{48}$", token);
        // No cookie jar: the Cookie headers below go out as written.
        using var http = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = new Uri(printed.GetLeftPart(UriPartial.Path)) };
        // The same length, one digit changed at the end: a comparison that stops at the first difference would be slow here.
        var wrong = token![..^1] + (token[^1] == '0' ? '1' : '0');
        using var authorized = WebUiAddress.Client(printed);
        var (_, page) = await GetAsync(authorized, "/");
        var asset = AssetPath().Match(page).Value;
        Assert.NotEmpty(asset);

        foreach (var path in Paths.Append(asset))
        {
            var refused = new (string How, Action<HttpRequestMessage>? Prove, string Path)[]
            {
                ("no token", null, path),
                ("wrong bearer", r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", wrong), path),
                ("wrong query token", null, $"{path}?token={wrong}"),
                ("wrong cookie", r => r.Headers.Add("Cookie", $"agentsight-{printed.Port}={wrong}"), path),
                ("the token as the cookie", r => r.Headers.Add("Cookie", $"agentsight-{printed.Port}={token}"), path),
            };
            foreach (var (how, prove, target) in refused)
            {
                var (status, body) = await GetAsync(http, target, prove);
                Assert.True(status == HttpStatusCode.Unauthorized, $"{target} with {how}: {status}");
                Assert.DoesNotContain(SessionText, body, StringComparison.Ordinal);
                Assert.DoesNotContain("<script", body, StringComparison.Ordinal);
            }
            Assert.Equal(HttpStatusCode.OK, (await GetAsync(authorized, path)).Status);
        }
        Assert.Contains(SessionText, (await GetAsync(authorized, "/api/llm")).Body, StringComparison.Ordinal);
        await StopAsync(host);
    }

    [GeneratedRegex(@"/assets/[^""]+\.js")]
    private static partial Regex AssetPath();

    [Fact]
    public async Task The_printed_url_sets_an_httponly_samestrict_cookie_and_leaves_for_the_page_without_the_token()
    {
        using var folder = TempFolder.ForCaller();
        using var host = await ServeAsync(Recording(folder));
        var printed = WebUiAddress.Printed(host.Stderr);
        var cookies = new CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = new Uri(printed.GetLeftPart(UriPartial.Path)) };
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(browser, "/api/overview")).Status);

        using var first = await browser.GetAsync(new Uri(printed.PathAndQuery, UriKind.Relative));
        Assert.Equal(HttpStatusCode.SeeOther, first.StatusCode);
        Assert.Equal("/", first.Headers.Location?.OriginalString);
        var setCookie = Assert.Single(first.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith($"agentsight-{printed.Port}=", setCookie, StringComparison.Ordinal);
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/", setCookie, StringComparison.OrdinalIgnoreCase);
        // Not the token: a cookie reaches every port of the host, the token must not.
        Assert.DoesNotContain(WebUiAddress.Token(printed)!, setCookie, StringComparison.Ordinal);

        foreach (var path in Paths)
        {
            Assert.Equal(HttpStatusCode.OK, (await GetAsync(browser, path)).Status);
        }
        // Other query parameters survive the way to the page without the token.
        using var withView = await browser.GetAsync(new Uri($"/?x=1&{printed.Query[1..]}", UriKind.Relative));
        Assert.Equal("/?x=1", withView.Headers.Location?.OriginalString);
        await StopAsync(host);
    }

    [Fact]
    public async Task Another_local_user_cannot_read_a_root_recording_without_the_token()
    {
        Assert.True(Environment.UserName == "root", "this test runs as root, as `sudo agentsight record` does");
        using var folder = TempFolder.ForCaller();
        using var host = await ServeAsync(Recording(folder));
        var printed = WebUiAddress.Printed(host.Stderr);
        var api = new Uri(printed, "/api/llm").ToString();

        var (status, body) = await CurlAsNobodyAsync(api);
        Assert.Equal("401", status);
        Assert.DoesNotContain(SessionText, body, StringComparison.Ordinal);
        Assert.Equal("401", (await CurlAsNobodyAsync(printed.GetLeftPart(UriPartial.Path))).Status);
        // The same user with the token reads it: what stopped them was the token, not the network.
        Assert.Equal("200", (await CurlAsNobodyAsync(api, "-H", $"Authorization: Bearer {WebUiAddress.Token(printed)}")).Status);
        await StopAsync(host);
    }

    /// <summary><c>runuser -u nobody -- curl URL</c>: the status and the body, as another user on this machine gets them.</summary>
    private static async Task<(string Status, string Body)> CurlAsNobodyAsync(string url, params string[] options)
    {
        var start = new ProcessStartInfo("runuser") { RedirectStandardOutput = true, RedirectStandardError = true };
        string[] args = ["-u", "nobody", "--", "curl", "-s", "-w", "\n%{http_code}", .. options, url];
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var curl = Process.Start(start)!;
        var output = await curl.StandardOutput.ReadToEndAsync();
        await curl.WaitForExitAsync();
        var split = output.LastIndexOf('\n');
        return (output[(split + 1)..], output[..Math.Max(split, 0)]);
    }

    [Fact]
    public async Task Serve_as_a_non_root_user_of_a_file_they_can_read_works_with_the_token()
    {
        using var folder = TempFolder.ForCaller();
        var traversable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        File.SetUnixFileMode(Path.GetDirectoryName(folder.Path)!, File.GetUnixFileMode(Path.GetDirectoryName(folder.Path)!) | UnixFileMode.OtherExecute);
        File.SetUnixFileMode(folder.Path, traversable);
        var recording = Recording(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        using var host = HostProcess.StartAs("nobody", ["serve", recording, "--port", "0"], workingDirectory: folder.Path);
        await host.WaitForStderrAsync("serving until Ctrl+C", TimeSpan.FromSeconds(60));
        var printed = WebUiAddress.Printed(host.Stderr);
        using var http = WebUiAddress.Client(printed);
        Assert.Contains(SessionText, await http.GetStringAsync(new Uri("/api/llm", UriKind.Relative)), StringComparison.Ordinal);
        using var anonymous = new HttpClient { BaseAddress = http.BaseAddress };
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(anonymous, "/api/llm")).Status);
        // Disposing ends it: runuser stands between this test and the host's signals.
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    public async Task A_non_loopback_host_without_a_chosen_token_refuses_to_start_and_says_what_to_do(string address)
    {
        using var folder = TempFolder.ForCaller();
        var (code, _, stderr) = await HostProcess.RunAsync(["serve", Recording(folder), "--port", "0", "--host", address]);
        Assert.Equal(2, code);
        Assert.Contains($"{address} is not a loopback address", stderr, StringComparison.Ordinal);
        Assert.Contains("--token-file FILE", stderr, StringComparison.Ordinal);
        Assert.Contains("SSH tunnel (ssh -L 7395:127.0.0.1:7395", stderr, StringComparison.Ordinal);
        Assert.Contains("TLS proxy", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Web UI:", stderr, StringComparison.Ordinal);

        var (noAuth, _, refused) = await HostProcess.RunAsync(["serve", Recording(folder), "--port", "0", "--host", address, "--no-auth"]);
        Assert.Equal(2, noAuth);
        Assert.Contains("cannot be false (--no-auth)", refused, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_file_opens_a_non_loopback_address_and_only_its_token_is_accepted()
    {
        using var folder = TempFolder.ForCaller();
        var file = folder.Combine("token");
        const string Token = "chosen-by-a-script-0123456789";
        File.WriteAllText(file, Token + "\n");
        using var host = await ServeAsync(Recording(folder), "--host", "0.0.0.0", "--token-file", file);
        var printed = WebUiAddress.Printed(host.Stderr);
        Assert.Equal(Token, WebUiAddress.Token(printed));
        using var http = WebUiAddress.Client(new Uri($"http://127.0.0.1:{printed.Port}/?token={Token}"));
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(http, "/api/llm")).Status);
        using var anonymous = new HttpClient { BaseAddress = http.BaseAddress };
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(anonymous, "/api/llm")).Status);
        await StopAsync(host);
    }

    [Theory]
    [InlineData("--token", "short", "config.token: must be at least 16 characters (got 5)")]
    [InlineData("--token", "has spaces in it, sixteen+", "config.token: may hold only letters, digits")]
    [InlineData("--token-file", "/nonexistent/token", "config.token_file: cannot read /nonexistent/token")]
    public async Task A_bad_chosen_token_stops_the_run_with_its_reason(string option, string value, string message)
    {
        using var folder = TempFolder.ForCaller();
        var (code, _, stderr) = await HostProcess.RunAsync(["serve", Recording(folder), "--port", "0", option, value]);
        Assert.Equal(2, code);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_chosen_token_is_the_one_printed_and_accepted()
    {
        using var folder = TempFolder.ForCaller();
        using var host = await ServeAsync(Recording(folder), "--token", "0123456789abcdefXYZ");
        var printed = WebUiAddress.Printed(host.Stderr);
        Assert.Equal("0123456789abcdefXYZ", WebUiAddress.Token(printed));
        using var http = WebUiAddress.Client(printed);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(http, "/api/session")).Status);
        await StopAsync(host);
    }

    [Fact]
    public async Task No_auth_serves_everyone_and_says_so_in_the_log_and_to_the_page()
    {
        using var folder = TempFolder.ForCaller();
        using var host = await ServeAsync(Recording(folder), "--no-auth");
        Assert.Contains("WRN] web: The web UI has no access control (--no-auth): every user of this machine can read the session", host.Stderr, StringComparison.Ordinal);
        var printed = WebUiAddress.Printed(host.Stderr);
        Assert.Null(WebUiAddress.Token(printed));
        using var http = new HttpClient { BaseAddress = printed };
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(http, "/api/llm")).Status);
        Assert.Equal("""{"auth":false}""", (await GetAsync(http, "/api/access")).Body);
        await StopAsync(host);

        using var guarded = await ServeAsync(Recording(folder));
        using var client = WebUiAddress.Client(guarded.Stderr);
        Assert.Equal("""{"auth":true}""", (await GetAsync(client, "/api/access")).Body);
        Assert.DoesNotContain("no access control", guarded.Stderr, StringComparison.Ordinal);
        await StopAsync(guarded);
    }
}
