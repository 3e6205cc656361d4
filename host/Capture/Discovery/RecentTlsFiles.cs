using System.Text.Json;

namespace AgentSight.Host.Capture.Discovery;

/// <summary>
/// The programs and libraries with TLS that followed processes of earlier recordings ran, kept beside the discovery
/// cache. A recording probes the latest of them at its start, before the command runs, so that a followed process
/// running one is not stopped at its exec until it is probed: 1–18 ms for Claude Code's binary, whose first probe may wait for a
/// kernel grace period (docs/CAPTURE.md, "Held at exec").
/// </summary>
/// <remarks>
/// A file counts only while its device, inode, size and modification time are the ones recorded: one changed since is
/// held and looked into as a new one. Files without TLS are not listed: a program held at its exec is looked into whole
/// (what it maps, what is not opened and why) before it connects, which the reports of unseen TLS rely on. The list
/// is read and written like the cache's entries: only when it and its folder belong to this user and nobody else can
/// write them.
/// </remarks>
internal sealed class RecentTlsFiles
{
    /// <summary>How many files are remembered, the most recently seen first.</summary>
    public const int Capacity = 32;

    /// <summary>How many a recording probes at its start (each adds its attachment to the start).</summary>
    public const int ProbedAtStart = 8;

    /// <summary>A file no followed process ran for this long is no longer probed at the start.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromDays(7);

    private const string FileName = "recent-tls-files.v1.json";

    private RecentTlsFiles(string? folder) => Folder = folder;

    /// <summary>Where the list is kept; null when it is not.</summary>
    public string? Folder { get; }

    /// <summary>The list of this user (beside <see cref="DiscoveryCache.ForCurrentUser"/>).</summary>
    public static RecentTlsFiles ForCurrentUser() => new(Path.Combine(CacheFolder.Root(), "discovery"));

    /// <summary>A list kept under <paramref name="folder"/>, as <see cref="DiscoveryCache.At"/> keeps its entries (tests).</summary>
    public static RecentTlsFiles At(string folder) => new(Path.Combine(folder, "discovery"));

    /// <summary>
    /// The remembered files a followed process ran within <see cref="MaxAge"/> of <paramref name="now"/> that are still
    /// what they were, the most recently run first, at most <see cref="ProbedAtStart"/>.
    /// </summary>
    public IReadOnlyList<RecentTlsFile> ReadUnchanged(DateTimeOffset now)
    {
        var since = (now - MaxAge).ToUnixTimeMilliseconds();
        return Read().Where(f => f.SeenMs >= since).Where(IsUnchanged).Take(ProbedAtStart).ToList();
    }

    /// <summary>
    /// Adds <paramref name="probed"/>, files with TLS a followed process ran or mapped (now), to the list, dropping the
    /// oldest past <see cref="Capacity"/>. Only files run count: one probed at the start and not run again keeps the time
    /// it was last run, and goes out of use after <see cref="MaxAge"/>.
    /// </summary>
    /// <remarks>A file whose path no longer leads to the one probed (another mount namespace, or replaced) is left out.</remarks>
    public void Remember(IEnumerable<(string Path, FileIdentity Identity)> probed, DateTimeOffset now)
    {
        if (Folder is null)
        {
            return;
        }
        var seen = now.ToUnixTimeMilliseconds();
        var fresh = new List<RecentTlsFile>();
        foreach (var (path, identity) in probed)
        {
            if (Path.IsPathRooted(path) && !path.StartsWith("/proc/", StringComparison.Ordinal)
                && Posix.TryGetVersion(path, out var current, out var size, out var modified) && current == identity)
            {
                fresh.Add(new RecentTlsFile(path, identity.Device, identity.Inode, size, modified, seen));
            }
        }
        if (fresh.Count == 0)
        {
            return;
        }
        var paths = fresh.Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
        var list = fresh.Concat(Read().Where(f => !paths.Contains(f.Path)))
            .OrderByDescending(f => f.SeenMs)
            .Take(Capacity)
            .ToList();
        // When it cannot be written, the next recording holds these programs at their exec, as this one did.
        _ = CacheFolder.Write(Folder, FileName, JsonSerializer.Serialize(list, DiscoveryJson.Default.ListRecentTlsFile));
    }

    private List<RecentTlsFile> Read()
    {
        if (Folder is null || CacheFolder.ReadTrusted(Folder, FileName) is not { } text)
        {
            return [];
        }
        try
        {
            return JsonSerializer.Deserialize(text, DiscoveryJson.Default.ListRecentTlsFile) ?? [];
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException)
        {
            return [];
        }
    }

    private static bool IsUnchanged(RecentTlsFile file) =>
        Posix.TryGetVersion(file.Path, out var identity, out var size, out var modified)
        && identity == new FileIdentity(file.Device, file.Inode) && size == file.Size && modified == file.ModifiedNs;
}

/// <summary>A file in which TLS was probed: where, which (device and inode as stat() gives them), which version, when.</summary>
internal sealed record RecentTlsFile(string Path, ulong Device, ulong Inode, long Size, long ModifiedNs, long SeenMs);
