using System.Runtime.InteropServices;

namespace AgentSight.Host.Plugins;

/// <summary>Owner, group and mode of a file, from stat(2): .NET exposes the mode but not the owner.</summary>
internal readonly partial record struct UnixFileStatus(uint Mode, uint Uid, uint Gid)
{
    private const uint GroupWrite = 0x10;   // 0020
    private const uint OtherWrite = 0x02;   // 0002
    private const uint Sticky = 0x200;      // 01000
    private const uint TypeMask = 0xF000;
    private const uint Directory = 0x4000;

    public bool IsDirectory => (Mode & TypeMask) == Directory;

    public bool GroupWritable => (Mode & GroupWrite) != 0;

    public bool OtherWritable => (Mode & OtherWrite) != 0;

    public bool StickyBit => (Mode & Sticky) != 0;

    /// <summary>The permission bits in octal, as <c>ls</c> and <c>chmod</c> show them (e.g. <c>0775</c>).</summary>
    public string OctalPermissions => Convert.ToString(Mode & 0xFFF, 8).PadLeft(4, '0');

    /// <summary>stat(2) of a path (following symlinks); null when it does not exist or cannot be read.</summary>
    public static unsafe UnixFileStatus? Of(string path)
    {
        // struct stat differs per architecture; only the three fields needed are read.
        var (modeAt, uidAt, gidAt) = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => (24, 28, 32),
            Architecture.Arm64 => (16, 24, 28),
            var other => throw new PlatformNotSupportedException($"reading file ownership is not implemented for {other}"),
        };
        var buffer = stackalloc byte[256];
        if (Stat(path, buffer) != 0)
        {
            return null;
        }
        return new UnixFileStatus(*(uint*)(buffer + modeAt), *(uint*)(buffer + uidAt), *(uint*)(buffer + gidAt));
    }

    /// <summary>The effective user id of this process.</summary>
    public static uint EffectiveUserId => GetEffectiveUserId();

    [LibraryImport("libc", EntryPoint = "stat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static unsafe partial int Stat(string path, byte* buffer);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();
}
