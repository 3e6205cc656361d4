using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace AgentSight.Host.Capture;

// Mirrors of bpf/agentsight.h, field for field (sequential layout gives the same offsets as the C structs, which
// use only naturally aligned fixed-width fields and explicit padding). RecordLayoutTests pins every size.

/// <summary>Sizes and values shared with the BPF programs (<c>bpf/agentsight.h</c>).</summary>
internal static class RecordLayout
{
    public const int CommLength = 16;
    public const int TlsChunk = 16384;
    public const int TlsMaxPieces = 256;
    public const long MaxCaptureLimit = (long)TlsChunk * TlsMaxPieces;
    public const int MaxComms = 16;
    public const uint ConfigMagic = 0xA6E51647u;

    public const byte RecordTls = 1;
    public const byte RecordExec = 2;
    public const byte RecordFork = 3;
    public const byte RecordExit = 4;
    public const byte RecordOpen = 5;
    public const byte RecordSocket = 6;
    public const byte RecordConnect = 7;
    public const byte RecordMmap = 8;
    public const byte RecordIo = 9;
    public const byte RecordRenamed = 10;

    public const int IoChunk = 16384;
    public const int IoMaxPieces = 512;
    public const long IoMaxCaptureLimit = (long)IoChunk * IoMaxPieces;

    public const byte IoRead = 0;
    public const byte IoWrite = 1;

    public const byte IoTcp = 1;
    public const byte IoUnixSocket = 2;
    public const byte IoPipe = 3;
    public const byte IoFifo = 4;
    public const byte IoTty = 5;
    public const byte IoUnixPair = 6;

    public const byte SocketLink = 1;
    public const byte SocketHello = 2;
    public const byte SocketData = 3;
    public const int HelloMax = 2048;
    public const int SockaddrMax = 112;

    public const byte TlsRead = 0;
    public const byte TlsWrite = 1;
    public const byte TlsHandshake = 2;

    public const byte TlsFirst = 1;
    public const byte TlsLast = 2;
    public const byte TlsCopyFailed = 4;
    public const byte TlsAborted = 8;
    public const byte TlsPadded = 16;
    public const byte TlsOneWay = 32;
    public const byte TlsLinkPending = 64;

    public const byte ProcessHeld = 1;
    public const byte ProcessProbedParent = 2;
    public const byte ProcessQuiet = 4;
    public const byte ProcessUnholdable = 8;

    public const byte KnownExamined = 1;
    public const byte KnownProbed = 2;
    public const byte KnownMapsProbed = 4;

    public const uint FilterAll = 0;
    public const uint FilterTracked = 1;
}

/// <summary>The kernel's 16-byte, NUL-padded process name.</summary>
[InlineArray(RecordLayout.CommLength)]
internal struct CommBytes
{
    private byte _first;
}

/// <summary><c>struct as_tls_record</c>: a TLS call or one piece of it; <see cref="Captured"/> payload bytes follow.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct TlsRecordHeader
{
    public byte RecordKind;
    public byte TlsKind;
    public byte Flags;
    public byte Pad0;
    public uint Pid;
    public uint Tid;
    public uint Uid;
    public ulong StartNs;
    public ulong EndNs;
    public ulong Connection;
    public ulong Cookie;
    public long Length;
    public ulong Offset;
    public uint Captured;
    public uint CallCaptured;
    public int Fd;
    public uint Pad1;
    public CommBytes Comm;
}

/// <summary><c>struct as_io_record</c>: a plaintext socket or stdio call, or one piece of it; <see cref="Captured"/> bytes follow.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct IoRecordHeader
{
    public byte RecordKind;
    public byte Direction;
    public byte IoKind;
    public byte Flags;
    public uint Pid;
    public uint Tid;
    public uint Uid;
    public ulong StartNs;
    public ulong EndNs;
    public ulong Stream;
    public long Length;
    public ulong Offset;
    public uint Captured;
    public uint CallCaptured;
    public int Fd;
    public uint PeerPid;
    public CommBytes Comm;
}

/// <summary><c>struct as_io_config</c>: the io program's load-time settings.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct IoConfig
{
    public uint Magic;
    public uint SelfTgid;
    public uint UidFilter;
    public uint TargetUid;
    public uint Sockets;
    public uint StdioMode;
    public ulong MaxCapture;
    public ulong StdioLimit;
    public ulong WakeupBytes;
}

/// <summary><c>struct as_sock_record</c>: what a traced process's socket calls tell about TLS; a ClientHello's bytes follow.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct SocketRecord
{
    public byte RecordKind;
    public byte SocketKind;
    public ushort Pad0;
    public uint Pid;
    public uint Tid;
    public uint Uid;
    public ulong TimestampNs;
    public ulong Connection;
    public int Fd;
    public uint Captured;
    public ulong Length;
    public CommBytes Comm;
}

/// <summary><c>struct as_proc_header</c>: the head of every process record.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct ProcessRecordHeader
{
    public byte RecordKind;
    public byte Flags;
    public ushort Pad1;
    public uint Pid;
    public uint Tid;
    public uint Ppid;
    public uint Uid;
    public uint Pad2;
    public ulong TimestampNs;
    public CommBytes Comm;
}

/// <summary><c>struct as_exec_record</c>: followed by the path, then argv.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct ExecRecord
{
    public ProcessRecordHeader Header;
    public uint FilenameLength;
    public uint ArgsLength;
    public ulong ArgsFullLength;
}

/// <summary><c>struct as_exit_record</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct ExitRecord
{
    public ProcessRecordHeader Header;
    public uint ExitCode;
    public uint Pad;
}

/// <summary><c>struct as_open_record</c>: followed by the path.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct OpenRecord
{
    public ProcessRecordHeader Header;
    public long Result;
    public ulong Flags;
    public ulong Mode;
    public int DirectoryFd;
    public uint Syscall;
    public uint PathLength;
    public uint Pad;
}

[InlineArray(RecordLayout.SockaddrMax)]
internal struct SockaddrBytes
{
    private byte _first;
}

/// <summary><c>struct as_connect_record</c>: a connect() and its result, the address inline.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct ConnectRecord
{
    public ProcessRecordHeader Header;
    public int Fd;
    public int Result;
    public uint AddressLength;
    public uint Pad;
    public SockaddrBytes Address;
}

/// <summary><c>struct as_mmap_record</c>: a file mapped executable, by its kernel device number and inode.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct MmapRecord
{
    public ProcessRecordHeader Header;
    public ulong Device;
    public ulong Inode;
}

/// <summary>The key of the process program's <c>known_files</c> map: files the host has looked into.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KnownFile
{
    public ulong Device;
    public ulong Inode;
}

/// <summary>
/// <c>struct file_key</c>: the key of the probe_links map (a process and a file whose probes are attached for it; a
/// zero file: it has some).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct ProcessFile
{
    public uint Tgid;
    public uint Pad;
    public ulong Device;
    public ulong Inode;
}

/// <summary><c>struct as_tls_config</c>: the TLS program's load-time settings.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct TlsConfig
{
    public uint Magic;
    public uint FilterMode;
    public uint SelfTgid;
    public uint UidFilter;
    public uint TargetUid;
    public uint EmitHandshake;
    public ulong MaxCapture;
    public ulong WakeupBytes;
}

[InlineArray(RecordLayout.MaxComms * RecordLayout.CommLength)]
internal struct CommList
{
    private byte _first;
}

/// <summary><c>struct as_proc_config</c>: the process program's load-time settings.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct ProcessConfig
{
    public uint Magic;
    public uint FilterMode;
    public uint SelfTgid;
    public uint UidFilter;
    public uint TargetUid;
    public uint Emit;
    public uint CommCount;
    public uint HoldNewPrograms;
    public ulong WakeupBytes;
    public CommList Comms;
    public uint ScopedProbes;
    public uint Pad;
}

/// <summary><c>struct as_tracked</c>: the value of the tracked-process map.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct TrackedProcess
{
    public uint MuteExecs;
    public uint Pad;
}

/// <summary>Which process events the program emits (<c>enum as_emit</c>).</summary>
[Flags]
internal enum ProcessEmit : uint
{
    None = 0,
    Exec = 1,
    Fork = 2,
    Exit = 4,
    Open = 8,
    Connect = 16,
    Mmap = 32,
    All = Exec | Fork | Exit | Open,
}

/// <summary>Indexes of the programs' loss counters (<c>enum as_stat</c>).</summary>
internal enum LossCounter
{
    RingFull = 0,
    RingFullBytes,
    CallMapFull,
    CopyFailed,
    TrackMapFull,
    Count,
}
