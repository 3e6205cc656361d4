namespace AgentSight.Plugins.Common.Storage;

/// <summary>What <c>statx</c> says about one file: what the safety checks of <see cref="OwnedFile"/> read.</summary>
public readonly record struct FileFacts(uint Mode, uint Uid, uint Links, ulong Inode, uint DeviceMajor, uint DeviceMinor)
{
    private const uint TypeMask = 0xF000;

    public bool IsSymlink => (Mode & TypeMask) == 0xA000;

    public bool IsRegular => (Mode & TypeMask) == 0x8000;

    public bool IsDirectory => (Mode & TypeMask) == 0x4000;

    public bool IsCharacterDevice => (Mode & TypeMask) == 0x2000;

    /// <summary>Any user may create, rename and remove entries in it (<c>o+w</c>).</summary>
    public bool WorldWritable => (Mode & 0x2) != 0;

    /// <summary>Entries can be removed or renamed only by their owner (<c>+t</c>, as on /tmp).</summary>
    public bool Sticky => (Mode & 0x200) != 0;

    /// <summary>True when both name the same file.</summary>
    public bool SameFile(FileFacts other) => Inode == other.Inode && DeviceMajor == other.DeviceMajor && DeviceMinor == other.DeviceMinor;

    /// <summary>The permission bits as <c>ls</c> and <c>chmod</c> show them (<c>1777</c>).</summary>
    public string Permissions => Convert.ToString(Mode & 0xFFF, 8).PadLeft(4, '0');

    /// <summary>What kind of file it is, in words, for error messages.</summary>
    public string Kind => (Mode & TypeMask) switch
    {
        0x8000 => "regular file",
        0x4000 => "directory",
        0xA000 => "symbolic link",
        0x2000 => "character device",
        0x6000 => "block device",
        0x1000 => "named pipe",
        0xC000 => "socket",
        _ => "file of unknown type",
    };
}
