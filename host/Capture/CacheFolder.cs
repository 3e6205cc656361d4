using AgentSight.Host.Plugins;

namespace AgentSight.Host.Capture;

/// <summary>
/// Where the host keeps what it worked out once and reuses at every run (what discovery found in a binary, the
/// kernel's types cut down for our BPF objects), and whether a file there can be trusted.
/// </summary>
/// <remarks>
/// As root the folder is <c>/var/cache/agentsight</c>, otherwise <c>$XDG_CACHE_HOME/agentsight</c> (or
/// <c>~/.cache/agentsight</c>); <c>AGENTSIGHT_CACHE_DIR</c> overrides both. What is read from it decides where uprobes
/// go and what offsets BPF programs read at, so a file is used only when it and its folder belong to this user and
/// nobody else can write them.
/// </remarks>
internal static class CacheFolder
{
    /// <summary>The folder for this process (see the remarks).</summary>
    public static string Root() =>
        Environment.GetEnvironmentVariable("AGENTSIGHT_CACHE_DIR") is { Length: > 0 } custom
            ? custom
            : UnixFileStatus.EffectiveUserId == 0
                ? "/var/cache/agentsight"
                : Path.Combine(Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg ? xdg
                    : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"), "agentsight");

    /// <summary>True when <paramref name="path"/> belongs to this user and neither its group nor others can write it.</summary>
    public static bool Trusted(string path) =>
        UnixFileStatus.Of(path) is { } status && status.Uid == UnixFileStatus.EffectiveUserId && !status.GroupWritable && !status.OtherWritable;

    /// <summary>How long an entry may go unread and unwritten before <see cref="PruneUnused"/> deletes it.</summary>
    public static readonly TimeSpan UnusedFor = TimeSpan.FromDays(30);

    /// <summary>
    /// Deletes the files of <paramref name="folder"/> that nothing read or wrote for <see cref="UnusedFor"/>, by their
    /// access time (which Linux refreshes on a read at least once a day; on a file system mounted <c>noatime</c> an entry
    /// goes a month after it was written, and is only made again). Called when an entry is added: the cache then keeps
    /// what the programs and the kernel in use need, instead of growing with every version it ever saw.
    /// </summary>
    public static void PruneUnused(string folder, DateTime utcNow)
    {
        if (!Trusted(folder))
        {
            return;
        }
        var cutoff = utcNow - UnusedFor;
        try
        {
            foreach (var file in new DirectoryInfo(folder).EnumerateFiles())
            {
                if (file.LastAccessTimeUtc < cutoff && file.LastWriteTimeUtc < cutoff)
                {
                    try
                    {
                        file.Delete();
                    }
                    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                    {
                        // Left for the next time an entry is added.
                    }
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A cache that cannot be listed is only not pruned.
        }
    }

    /// <summary>
    /// The text of <paramref name="fileName"/> in <paramref name="folder"/> when both can be trusted (<see cref="Trusted"/>);
    /// null when either cannot, or the file is missing or unreadable.
    /// </summary>
    public static string? ReadTrusted(string folder, string fileName)
    {
        var file = Path.Combine(folder, fileName);
        if (!Trusted(folder) || !File.Exists(file) || !Trusted(file))
        {
            return null;
        }
        try
        {
            return File.ReadAllText(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Replaces <paramref name="fileName"/> in <paramref name="folder"/> (created for this user only) with
    /// <paramref name="text"/>, readable by this user alone, in one rename: a reader sees the old file or the new one.
    /// False when it could not be written; what the cache keeps is only ever worked out again.
    /// </summary>
    public static bool Write(string folder, string fileName, string text)
    {
        try
        {
            if (!Prepare(folder))
            {
                return false;
            }
            var file = Path.Combine(folder, fileName);
            var temporary = file + $".{Environment.ProcessId}.tmp";
            File.WriteAllText(temporary, text);
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.Move(temporary, file, overwrite: true);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Creates <paramref name="folder"/> for this user only; true when it exists and can be trusted.</summary>
    public static bool Prepare(string folder)
    {
        try
        {
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            return Trusted(folder);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
