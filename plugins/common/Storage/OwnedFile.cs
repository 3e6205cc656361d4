using System.Text;
using Microsoft.Win32.SafeHandles;

namespace AgentSight.Plugins.Common.Storage;

/// <summary>How <see cref="OwnedFile.Open"/> treats the file's content.</summary>
public enum OpenIntent
{
    /// <summary>Keep what is there (created when missing).</summary>
    Keep,

    /// <summary>Empty it (created when missing); emptied only once it passed every check.</summary>
    Truncate,

    /// <summary>Create it; fail when a file of that name exists.</summary>
    CreateNew,
}

/// <summary>
/// Opens and checks the files sinks write (events, sessions), which hold decrypted traffic and are often written as
/// root, so that no other user can redirect them: root must never append to a file another user chose by planting
/// a symbolic link or a hard link, nor write into a file another user can read.
/// </summary>
/// <remarks>
/// <para>The rules, for the folder that holds the file and for the file itself:</para>
/// <list type="bullet">
/// <item>A folder every user can write is refused unless it has the sticky bit (like /tmp): anyone could swap the
/// file for a link there between two runs.</item>
/// <item>The last component is opened with <c>O_NOFOLLOW</c> relative to the folder's descriptor (<c>openat</c>), so
/// a link is never followed by accident. A link is followed only when its owner is trusted (this user, root, and
/// when running as root the user behind sudo): <c>/dev/stdout</c> keeps working, a link planted by someone else is
/// refused with a message that says so.</item>
/// <item>An existing file is refused when it has other hard links (any of its names could be a file the user did
/// not mean) or when its owner is not trusted: in a folder every user can write always, elsewhere when running as
/// root.</item>
/// </list>
/// <para>What is checked is the file actually opened (its descriptor), so a file swapped between the check and the
/// open is caught too. SQLite opens files by name itself: <see cref="CheckNamed"/> checks them beforehand and
/// <see cref="CreateEmpty"/> creates them first (SQLite itself opens with <c>O_NOFOLLOW</c>, so a link planted
/// later fails its open rather than being followed).</para>
/// </remarks>
public static class OwnedFile
{
    private const uint CreateMode = 0x180; // 0600: decrypted traffic is for its owner only.

    /// <summary>The user this process writes as.</summary>
    public static uint EffectiveUserId { get; } = Libc.GetEuid();

    /// <summary>
    /// Opens <paramref name="path"/> for reading and writing under the rules above. <paramref name="allowDevices"/>
    /// also accepts character devices and pipes (<c>/dev/null</c>, <c>/dev/stdout</c>). Throws
    /// <see cref="UnsafePathException"/> for a refused path and <see cref="IOException"/> when it cannot be opened.
    /// <paramref name="regular"/> says it is a regular file (seekable, can be cut back and rotated).
    /// </summary>
    public static SafeFileHandle Open(string path, OpenIntent intent, bool allowDevices, out bool regular)
    {
        var full = Path.GetFullPath(path);
        var folderPath = Path.GetDirectoryName(full) ?? "/";
        var name = Path.GetFileName(full);
        using var folder = OpenFolder(folderPath);
        var folderFacts = StatDescriptor(folder.Fd, folderPath);
        CheckFolder(folderFacts, folderPath, name);

        var entry = StatAt(folder.Fd, name, full);
        var follow = false;
        if (entry is { IsSymlink: true } link)
        {
            if (!IsTrusted(link.Uid))
            {
                throw PlantedLink(full, folder.Fd, name, link);
            }
            follow = true;
        }
        else if (entry is { } existing)
        {
            CheckExisting(existing, full, folderFacts, allowDevices);
        }
        if (intent == OpenIntent.CreateNew && entry is not null)
        {
            throw new IOException($"{full} already exists");
        }

        var flags = Libc.ORdWr | Libc.OCloexec | Libc.OCreat | (intent == OpenIntent.CreateNew ? Libc.OExcl : 0) | (follow ? 0 : Libc.ONoFollow);
        var fd = Libc.OpenAt(folder.Fd, name, flags, CreateMode);
        if (fd < 0)
        {
            var (errno, message) = Libc.LastError();
            throw errno switch
            {
                Libc.ELOOP => PlantedLink(full, folder.Fd, name, StatAt(folder.Fd, name, full)),
                Libc.EEXIST => new IOException($"{full} already exists"),
                _ => new IOException($"cannot open {full}: {message}"),
            };
        }
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            var opened = StatDescriptor(fd, full);
            if (!follow && entry is { } before && !before.SameFile(opened))
            {
                throw new UnsafePathException($"{full} was replaced by another file while it was being opened; refusing it (another user may be tampering with {folderPath})");
            }
            // The file opened, whatever name led to it, must pass the same checks (a link's target, a file created meanwhile).
            CheckExisting(opened, full, folderFacts, allowDevices);
            if (intent == OpenIntent.Truncate && opened.IsRegular)
            {
                RandomAccess.SetLength(handle, 0);
            }
            regular = opened.IsRegular;
            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Checks a path that a library will open by name (SQLite's database and its <c>-wal</c>, <c>-shm</c> and
    /// <c>-journal</c>): its folder, and when it exists, that it is a regular file with one link, owned by a trusted
    /// user, and not a symbolic link. Returns false when it does not exist.
    /// </summary>
    public static bool CheckNamed(string path)
    {
        var full = Path.GetFullPath(path);
        var folderPath = Path.GetDirectoryName(full) ?? "/";
        var name = Path.GetFileName(full);
        using var folder = OpenFolder(folderPath);
        var folderFacts = StatDescriptor(folder.Fd, folderPath);
        CheckFolder(folderFacts, folderPath, name);
        if (StatAt(folder.Fd, name, full) is not { } entry)
        {
            return false;
        }
        if (entry.IsSymlink)
        {
            throw PlantedLink(full, folder.Fd, name, entry);
        }
        if (!entry.IsRegular)
        {
            throw new UnsafePathException($"{full} is a {entry.Kind}, not a regular file");
        }
        if (!IsTrusted(entry.Uid))
        {
            throw Foreign(full, entry);
        }
        if (entry.Links > 1)
        {
            throw HardLinked(full, entry);
        }
        return true;
    }

    /// <summary>Creates an empty file for its owner only, refusing any file or link already at that name (<c>O_EXCL</c>).</summary>
    public static void CreateEmpty(string path)
    {
        using var handle = Open(path, OpenIntent.CreateNew, allowDevices: false, out _);
    }

    /// <summary>True for the users whose files and links are trusted: this user, root, and the user behind sudo when root.</summary>
    internal static bool IsTrusted(uint uid)
    {
        if (uid == EffectiveUserId || uid == 0)
        {
            return true;
        }
        return EffectiveUserId == 0 && uint.TryParse(Environment.GetEnvironmentVariable("SUDO_UID"), out var sudo) && uid == sudo;
    }

    private static void CheckFolder(FileFacts folder, string folderPath, string name)
    {
        if (folder.WorldWritable && !folder.Sticky)
        {
            throw new UnsafePathException(
                $"{folderPath} can be written by every user (mode {folder.Permissions}) and has no sticky bit: another user could replace {name} "
                + "with a link to any file; choose a folder only you can write (or one with the sticky bit, like /tmp)");
        }
    }

    private static void CheckExisting(FileFacts file, string path, FileFacts folder, bool allowDevices)
    {
        if (file.IsDirectory)
        {
            throw new UnsafePathException($"{path} is a directory");
        }
        if (!file.IsRegular)
        {
            if (allowDevices && (file.IsCharacterDevice || file.Kind == "named pipe"))
            {
                return;
            }
            throw new UnsafePathException($"{path} is a {file.Kind}, not a regular file");
        }
        var strict = folder.WorldWritable || EffectiveUserId == 0;
        if (strict && !IsTrusted(file.Uid))
        {
            throw Foreign(path, file);
        }
        if (strict && file.Links > 1)
        {
            throw HardLinked(path, file);
        }
    }

    private static UnsafePathException Foreign(string path, FileFacts file) => new(
        $"{path} belongs to another user (uid {file.Uid}; agentsight runs as uid {EffectiveUserId}): it may have been put there for this run to "
        + "write decrypted traffic into; remove it or choose another path");

    private static UnsafePathException HardLinked(string path, FileFacts file) => new(
        $"{path} has {file.Links} hard links: another of its names may be a file that must not be written; remove it or choose another path");

    private static UnsafePathException PlantedLink(string path, int folder, string name, FileFacts? link)
    {
        var target = ReadLink(folder, name);
        return new UnsafePathException(
            $"{path} is a symbolic link{(target is null ? "" : $" to {target}")} owned by uid {link?.Uid.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"}: "
            + "files are not written through links another user could have planted; remove the link or choose another path");
    }

    private static unsafe string? ReadLink(int folder, string name)
    {
        var buffer = stackalloc byte[4096];
        var length = Libc.ReadLinkAt(folder, name, buffer, 4096);
        return length <= 0 ? null : Encoding.UTF8.GetString(buffer, (int)length);
    }

    private static FolderHandle OpenFolder(string folderPath)
    {
        var fd = Libc.OpenAt(Libc.AtFdCwd, folderPath, Libc.ORdOnly | Libc.ODirectory | Libc.OCloexec, 0);
        if (fd < 0)
        {
            var (errno, message) = Libc.LastError();
            throw errno == Libc.ENOENT
                ? new DirectoryNotFoundException($"cannot open {folderPath}: {message}")
                : new IOException($"cannot open the folder {folderPath}: {message}");
        }
        return new FolderHandle(fd);
    }

    private static unsafe FileFacts StatDescriptor(int fd, string what)
    {
        Libc.StatxBuffer buffer;
        if (Libc.Statx(fd, string.Empty, Libc.AtEmptyPath, Libc.StatxBasicStats, &buffer) != 0)
        {
            throw new IOException($"cannot read the status of {what}: {Libc.LastError().Message}");
        }
        return Facts(buffer);
    }

    /// <summary>The entry itself (a link is not followed); null when there is none.</summary>
    private static unsafe FileFacts? StatAt(int folder, string name, string what)
    {
        Libc.StatxBuffer buffer;
        if (Libc.Statx(folder, name, Libc.AtSymlinkNoFollow, Libc.StatxBasicStats, &buffer) != 0)
        {
            var (errno, message) = Libc.LastError();
            return errno == Libc.ENOENT ? null : throw new IOException($"cannot read the status of {what}: {message}");
        }
        return Facts(buffer);
    }

    private static FileFacts Facts(Libc.StatxBuffer b) => new(b.Mode, b.Uid, b.Nlink, b.Inode, b.DevMajor, b.DevMinor);

    /// <summary>A folder's descriptor, closed on dispose.</summary>
    private readonly struct FolderHandle(int fd) : IDisposable
    {
        public int Fd { get; } = fd;

        public void Dispose() => Libc.Close(Fd);
    }
}
