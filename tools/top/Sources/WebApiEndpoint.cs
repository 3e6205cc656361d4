namespace AgentSight.Top.Sources;

/// <summary>A running recording's web API: its address and access token (null when it serves without one, <c>--no-auth</c>).</summary>
public sealed record WebApiEndpoint(Uri BaseAddress, string? Token)
{
    /// <summary>The name of the token in the address a recording prints (<c>http://127.0.0.1:7395/?token=…</c>).</summary>
    public const string TokenQueryName = "token";

    /// <summary>True when the server is on this machine's loopback: its pids are this machine's, and <c>/proc</c> can be read for them.</summary>
    public bool IsLocal => BaseAddress.IsLoopback;

    /// <summary>
    /// The endpoint of an address as a recording prints it (<c>http://127.0.0.1:7395/?token=…</c>), or of a bare one
    /// with the token given apart (<paramref name="token"/> wins over the address's). Null and a reason when it is not an http address.
    /// </summary>
    public static WebApiEndpoint? Parse(string address, string? token, out string? problem)
    {
        problem = null;
        if (!Uri.TryCreate(address.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            problem = $"\"{address}\" is not an http:// address (e.g. http://127.0.0.1:7395/?token=…, as record prints it)";
            return null;
        }
        string? fromQuery = null;
        foreach (var part in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0 && part[..eq] == TokenQueryName)
            {
                fromQuery = Uri.UnescapeDataString(part[(eq + 1)..]);
            }
        }
        return new WebApiEndpoint(new Uri(uri.GetLeftPart(UriPartial.Authority) + "/"), token ?? fromQuery);
    }

    /// <summary>The first line of a token file, trimmed; null and a reason when it cannot be read or is empty.</summary>
    public static string? ReadTokenFile(string path, out string? problem)
    {
        problem = null;
        try
        {
            using var reader = new StreamReader(path);
            var line = reader.ReadLine()?.Trim();
            if (string.IsNullOrEmpty(line))
            {
                problem = $"{path}: the first line holds no token";
                return null;
            }
            return line;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problem = $"{path}: {ex.Message}";
            return null;
        }
    }

    public override string ToString() => BaseAddress.ToString();
}
