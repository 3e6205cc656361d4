using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace AgentSight.Host.Capture.Discovery;

/// <summary>
/// Remembers what discovery found in a file, keyed by its GNU build-id (or, without one, by its device, inode, size
/// and modification time), so that a 400 MB agent binary is analysed once, not at every run.
/// </summary>
/// <remarks>
/// The cache is the <c>discovery</c> folder of <see cref="CacheFolder"/>. A cached entry decides where uprobes go in
/// other people's processes, and a probe in the middle of an instruction would crash them: an entry is read only when
/// it and its folder belong to this user and nobody else can write them; anything unreadable is analysed again.
/// <see cref="Version"/> is part of every key, so a change to the analysis never meets an old answer.
/// </remarks>
internal sealed class DiscoveryCache
{
    /// <summary>Bump when a finder changes what it finds.</summary>
    public const int Version = 2;

    private DiscoveryCache(string? folder) => Folder = folder;

    /// <summary>Where entries are kept; null when caching is off.</summary>
    public string? Folder { get; }

    /// <summary>A cache that keeps nothing.</summary>
    public static DiscoveryCache None { get; } = new(null);

    /// <summary>A cache kept in <paramref name="folder"/> (tests, benchmarks).</summary>
    public static DiscoveryCache At(string folder) => new(Path.Combine(folder, "discovery"));

    /// <summary>The cache for this process (see <see cref="CacheFolder"/>).</summary>
    public static DiscoveryCache ForCurrentUser() => new(Path.Combine(CacheFolder.Root(), "discovery"));

    /// <summary>The cache key of a file: its build-id, or a digest of its identity when it has none.</summary>
    public static string? KeyOf(string accessPath, string? buildId)
    {
        if (buildId is not null)
        {
            return buildId;
        }
        try
        {
            var info = new FileInfo(accessPath);
            if (!Posix.TryGetIdentity(accessPath, out var identity))
            {
                return null;
            }
            var text = $"{identity.Device}:{identity.Inode}:{info.Length}:{info.LastWriteTimeUtc.Ticks}";
            return "f" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..40];
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>The entry for <paramref name="key"/>, renamed to <paramref name="displayPath"/>, or null.</summary>
    public FileDiscovery? Read(string key, string displayPath)
    {
        if (Folder is null || CacheFolder.ReadTrusted(Folder, EntryName(key)) is not { } text)
        {
            return null;
        }
        try
        {
            var entry = JsonSerializer.Deserialize(text, DiscoveryJson.Default.FileDiscovery);
            return entry is null ? null : entry with { Path = displayPath, FromCache = true, Elapsed = TimeSpan.Zero };
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>Stores an entry; a cache that cannot be written is skipped silently (the analysis is only repeated).</summary>
    public void Write(string key, FileDiscovery discovery)
    {
        if (Folder is not null
            && CacheFolder.Write(Folder, EntryName(key), JsonSerializer.Serialize(discovery with { FromCache = false }, DiscoveryJson.Default.FileDiscovery)))
        {
            CacheFolder.PruneUnused(Folder, DateTime.UtcNow);
        }
    }

    private static string EntryName(string key) => $"{key}.v{Version}.json";
}
