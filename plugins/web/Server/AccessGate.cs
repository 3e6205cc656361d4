using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace AgentSight.Plugins.Web.Server;

/// <summary>What a request proved.</summary>
internal enum Access
{
    /// <summary>No token, a wrong one, or a stale cookie: 401 and nothing else.</summary>
    Denied,

    /// <summary>The bearer header or the cookie.</summary>
    Allowed,

    /// <summary>The token in the URL (<c>?token=</c>): allowed, and the cookie is set for the requests that follow.</summary>
    FromQuery,
}

/// <summary>
/// Proof of access to one web UI: the token printed at start, sent as <c>?token=</c> (the printed URL, exchanged for
/// a cookie on the first visit) or <c>Authorization: Bearer</c> (scripts), and the cookie the browser then holds.
/// </summary>
/// <remarks>
/// <para>Both secrets are compared as SHA-256 digests with <see cref="CryptographicOperations.FixedTimeEquals"/>: the
/// time a comparison takes says nothing of how much of a guess was right, nor of the token's length.</para>
/// <para>The cookie holds a second random value, not the token: cookies ignore ports, so any server on another port
/// of 127.0.0.1 the browser visits receives it; it is worth this run's UI and nothing else, and the token itself does
/// not leak that way. Its name carries the port so two runs on one machine keep their own. HttpOnly keeps it from
/// scripts; SameSite=Strict keeps it off requests another site starts.</para>
/// </remarks>
internal sealed class AccessGate
{
    /// <summary>The query parameter of the printed URL.</summary>
    public const string QueryName = "token";

    private const int MinimumLength = 16;
    private const string BearerPrefix = "Bearer ";

    private readonly byte[] _tokenDigest;
    private readonly byte[] _cookieDigest;
    private readonly string _cookieValue;

    public AccessGate(string token, int port)
    {
        Token = token;
        _tokenDigest = Digest(token);
        _cookieValue = NewToken();
        _cookieDigest = Digest(_cookieValue);
        CookieName = $"agentsight-{port}";
    }

    /// <summary>The token, for the printed URL.</summary>
    public string Token { get; }

    /// <summary>The cookie's name: <c>agentsight-PORT</c>.</summary>
    public string CookieName { get; }

    /// <summary>A new random token: 192 bits as 48 hex digits, safe in a URL, a header and a cookie as they are.</summary>
    public static string NewToken() => RandomNumberGenerator.GetHexString(48, lowercase: true);

    /// <summary>What is wrong with a chosen token, or null. It must go into a URL and a header unescaped, and be hard to guess.</summary>
    public static string? Problem(string token)
    {
        if (token.Length < MinimumLength)
        {
            return $"must be at least {MinimumLength} characters (got {token.Length})";
        }
        foreach (var c in token)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.' or '~'))
            {
                return "may hold only letters, digits, '-', '_', '.' and '~' (it goes into a URL as it is)";
            }
        }
        return null;
    }

    /// <summary>Checks a request's proof; for the token in the URL, also sets the cookie on the response.</summary>
    public Access Check(HttpContext ctx)
    {
        var request = ctx.Request;
        if (request.Headers.Authorization is [{ } header] && header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase)
            && Matches(_tokenDigest, header[BearerPrefix.Length..].Trim()))
        {
            return Access.Allowed;
        }
        // The URL before the cookie: a page opened from the printed URL is sent on without the token even when the
        // browser already holds the cookie.
        if (request.Query.TryGetValue(QueryName, out var query) && query is [{ } token] && Matches(_tokenDigest, token))
        {
            // A session cookie (no expiry): it ends with the browser, and is useless after this run anyway.
            ctx.Response.Cookies.Append(CookieName, _cookieValue, new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Strict,
                Path = "/",
                IsEssential = true,
            });
            return Access.FromQuery;
        }
        if (request.Cookies.TryGetValue(CookieName, out var cookie) && Matches(_cookieDigest, cookie))
        {
            return Access.Allowed;
        }
        return Access.Denied;
    }

    /// <summary>
    /// The request's path and query without the token: where a first visit is sent on, so the token leaves the address
    /// bar (and what a screen share or a bookmark would show). The fragment (the view) stays: browsers keep it across a
    /// redirect.
    /// </summary>
    public static string WithoutToken(HttpRequest request)
    {
        var rest = request.Query.Where(q => !string.Equals(q.Key, QueryName, StringComparison.Ordinal))
            .SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string?>(q.Key, v)));
        return request.PathBase + request.Path + QueryString.Create(rest).ToUriComponent();
    }

    private static byte[] Digest(string value) => SHA256.HashData(Encoding.UTF8.GetBytes(value));

    private static bool Matches(byte[] expected, string? candidate) =>
        candidate is not null && CryptographicOperations.FixedTimeEquals(expected, Digest(candidate));
}
