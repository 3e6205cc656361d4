using System.Net.Http.Headers;
using System.Text.RegularExpressions;

namespace AgentSight.Tests.Support;

/// <summary>The web UI's address as the host prints it (<c>Web UI: http://127.0.0.1:PORT/?token=…</c>), and a client that uses it.</summary>
public static partial class WebUiAddress
{
    [GeneratedRegex(@"Web UI: (http://\S+)")]
    private static partial Regex Line();

    /// <summary>The printed URL, token included.</summary>
    public static Uri Printed(string stderr)
    {
        var match = Line().Match(stderr);
        Assert.True(match.Success, $"no \"Web UI:\" line in:\n{stderr}");
        return new Uri(match.Groups[1].Value);
    }

    /// <summary>The token of the printed URL (<c>?token=</c>), or null when it has none (<c>--no-auth</c>).</summary>
    public static string? Token(Uri printed) =>
        printed.Query.StartsWith("?token=", StringComparison.Ordinal) ? printed.Query["?token=".Length..] : null;

    /// <summary>A client of the UI a host printed: based on its address, sending its token as a script would (bearer).</summary>
    public static HttpClient Client(string stderr) => Client(Printed(stderr));

    /// <summary>A client based on <paramref name="printed"/>'s address, with its token as <c>Authorization: Bearer</c>.</summary>
    public static HttpClient Client(Uri printed)
    {
        var http = new HttpClient { BaseAddress = new Uri(printed.GetLeftPart(UriPartial.Path)) };
        if (Token(printed) is { } token)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return http;
    }
}
