using System.Collections.Frozen;
using System.Reflection;

namespace AgentSight.Plugins.Web.Server;

/// <summary>The UI's files, embedded in the assembly at build time: the only files the server can send.</summary>
/// <remarks>
/// Requests are answered by exact lookup of the path in this table. No path is ever joined to a folder on disk, so
/// <c>/../</c>, <c>//etc/passwd</c> and their encoded forms cannot reach a file: they are simply not keys.
/// </remarks>
internal sealed class UiAssets
{
    private const string Prefix = "ui/";

    private readonly FrozenDictionary<string, Asset> _assets;

    public UiAssets(Assembly assembly)
    {
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames())
        {
            if (!name.StartsWith(Prefix, StringComparison.Ordinal))
            {
                continue;
            }
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var path = "/" + name[Prefix.Length..];
            assets[path] = new Asset(copy.ToArray(), ContentType(path), Immutable: path.StartsWith("/assets/", StringComparison.Ordinal));
        }
        _assets = assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public int Count => _assets.Count;

    /// <summary>The asset for a request path; <c>/</c> is <c>/index.html</c>.</summary>
    public Asset? Find(string path) => _assets.TryGetValue(path == "/" ? "/index.html" : path, out var asset) ? asset : null;

    private static string ContentType(string path) => Path.GetExtension(path) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        ".ico" => "image/x-icon",
        ".json" => "application/json; charset=utf-8",
        ".woff2" => "font/woff2",
        _ => "application/octet-stream",
    };

    /// <summary>One file: its bytes, its type, and whether its name carries a content hash (cache it for good).</summary>
    internal sealed record Asset(byte[] Bytes, string ContentType, bool Immutable);
}
