namespace AgentSight.Host.Plugins;

/// <summary>
/// Refuses, when the host runs as root, to load code or configuration that a less privileged user could have
/// written: otherwise anyone able to drop a DLL into the plugins folder would run code as root.
/// </summary>
/// <remarks>
/// The rule follows sudo's and sshd's: a file, and every directory above it, must be owned by root — or by the user
/// who started the host through sudo, who could run anything as root anyway — and must not be writable by its group
/// or by others. World-writable directories with the sticky bit (like /tmp) are accepted above a path, since
/// others cannot replace what root or that user owns inside them. Not root: nothing is checked (such a process can
/// only hurt itself). <c>--allow-writable-plugins</c> turns the checks off, with a warning.
/// </remarks>
internal sealed class FileSafety
{
    private readonly HashSet<uint> _trustedOwners;

    private FileSafety(bool enforced, HashSet<uint> trustedOwners)
    {
        Enforced = enforced;
        _trustedOwners = trustedOwners;
    }

    /// <summary>True when checks apply (running as root and not overridden).</summary>
    public bool Enforced { get; }

    /// <summary>No checks (not root, or the user said so).</summary>
    public static FileSafety Off { get; } = new(false, []);

    /// <summary>The checks for this process: enforced when running as root unless <paramref name="allowWritable"/>.</summary>
    public static FileSafety ForCurrentProcess(bool allowWritable)
    {
        if (allowWritable || UnixFileStatus.EffectiveUserId != 0)
        {
            return Off;
        }
        var trusted = new HashSet<uint> { 0 };
        if (uint.TryParse(Environment.GetEnvironmentVariable("SUDO_UID"), out var sudoUser))
        {
            trusted.Add(sudoUser);
        }
        return new FileSafety(true, trusted);
    }

    /// <summary>Checks with an explicit set of trusted owners (tests).</summary>
    internal static FileSafety WithTrustedOwners(params uint[] owners) => new(true, [.. owners]);

    /// <summary>
    /// Why <paramref name="path"/> (and, when <paramref name="recursive"/>, everything inside it) must not be trusted;
    /// null when it may. <paramref name="what"/> names it in the message ("plugin", "manifest").
    /// </summary>
    public string? Check(string path, string what, bool recursive = true)
    {
        if (!Enforced)
        {
            return null;
        }
        var full = Path.GetFullPath(path);
        var problem = CheckOne(full, what) ?? CheckParents(full, what);
        if (problem is null && recursive && Directory.Exists(full))
        {
            foreach (var entry in Directory.EnumerateFileSystemEntries(full, "*", SearchOption.AllDirectories))
            {
                problem = CheckOne(entry, what);
                if (problem is not null)
                {
                    break;
                }
            }
        }
        return problem;
    }

    private string? CheckOne(string path, string what)
    {
        if (UnixFileStatus.Of(path) is not { } status)
        {
            return null; // Gone or unreadable: the loader reports that on its own.
        }
        if (!_trustedOwners.Contains(status.Uid))
        {
            return $"refusing {what} {path}: it is owned by uid {status.Uid}, and only {Owners()} may own files the host loads as root "
                + "(chown it, or run with --allow-writable-plugins)";
        }
        if (status.OtherWritable || status.GroupWritable)
        {
            var who = status.OtherWritable ? "everyone" : $"group {status.Gid}";
            return $"refusing {what} {path}: it is writable by {who} (mode {status.OctalPermissions}); fix it with "
                + $"chmod go-w {Quote(path)}, or run with --allow-writable-plugins";
        }
        return null;
    }

    private string? CheckParents(string path, string what)
    {
        for (var parent = Path.GetDirectoryName(path); parent is not null; parent = Path.GetDirectoryName(parent))
        {
            if (UnixFileStatus.Of(parent) is not { } status)
            {
                continue;
            }
            var shared = status.StickyBit && status.OtherWritable;
            if (!_trustedOwners.Contains(status.Uid) && !shared)
            {
                return $"refusing {what} {path}: the directory {parent} above it is owned by uid {status.Uid}, who could replace it "
                    + "(move it under a directory owned by root, or run with --allow-writable-plugins)";
            }
            if ((status.OtherWritable || status.GroupWritable) && !shared)
            {
                return $"refusing {what} {path}: the directory {parent} above it is writable by "
                    + $"{(status.OtherWritable ? "everyone" : $"group {status.Gid}")} (mode {status.OctalPermissions}), so its contents "
                    + $"could be replaced; fix it with chmod go-w {Quote(parent)}, or run with --allow-writable-plugins";
            }
        }
        return null;
    }

    private string Owners() => _trustedOwners.Count == 1 ? "root" : $"root or the sudo user (uid {_trustedOwners.Max()})";

    private static string Quote(string path) => path.Contains(' ', StringComparison.Ordinal) ? $"'{path}'" : path;
}
