using System.Runtime.InteropServices;
using System.Text;
using AgentSight.Host.Capture;

namespace AgentSight.Tests.Capture;

/// <summary>Builds the byte records the BPF programs write, for decoder tests.</summary>
internal static class Records
{
    public static byte[] Tls(byte kind, byte flags, ReadOnlySpan<byte> payload, long length, ulong offset = 0, uint? callCaptured = null,
        uint tid = 4250, ulong start = 1_000_000, ulong end = 1_250_000, ulong connection = 0x55d1c2a3b4c0, ulong cookie = 1, string comm = "python3", int fd = -1)
    {
        var header = new TlsRecordHeader
        {
            RecordKind = RecordLayout.RecordTls,
            TlsKind = kind,
            Flags = flags,
            Pid = 4242,
            Tid = tid,
            Uid = 1000,
            StartNs = start,
            EndNs = end,
            Connection = connection,
            Cookie = cookie,
            Length = length,
            Offset = offset,
            Captured = (uint)payload.Length,
            CallCaptured = callCaptured ?? (uint)length,
            Fd = fd,
        };
        Encoding.UTF8.GetBytes(comm).CopyTo((Span<byte>)header.Comm);
        var bytes = new byte[Marshal.SizeOf<TlsRecordHeader>() + payload.Length];
        MemoryMarshal.Write(bytes, in header);
        payload.CopyTo(bytes.AsSpan(Marshal.SizeOf<TlsRecordHeader>()));
        return bytes;
    }

    public static byte[] Exec(uint pid, string filename, string[] argv, ulong fullArgs = 0, ulong ts = 2_000_000)
    {
        var name = Encoding.UTF8.GetBytes(filename);
        var args = Encoding.UTF8.GetBytes(string.Concat(argv.Select(a => a + "\0")));
        var record = new ExecRecord
        {
            Header = Header(RecordLayout.RecordExec, pid, ts, Path.GetFileName(filename)),
            FilenameLength = (uint)name.Length,
            ArgsLength = (uint)args.Length,
            ArgsFullLength = fullArgs == 0 ? (ulong)args.Length : fullArgs,
        };
        return [.. Bytes(record), .. name, .. args];
    }

    public static byte[] Exit(uint pid, uint exitCode, ulong ts) =>
        Bytes(new ExitRecord { Header = Header(RecordLayout.RecordExit, pid, ts, "sh"), ExitCode = exitCode });

    public static byte[] Open(uint pid, string path, long result, ulong flags = 0x80000, uint syscall = 0)
    {
        var bytes = Encoding.UTF8.GetBytes(path);
        var record = new OpenRecord
        {
            Header = Header(RecordLayout.RecordOpen, pid, 3_000_000, "cat"),
            Result = result,
            Flags = flags,
            Mode = 420, // 0644
            DirectoryFd = -100,
            Syscall = syscall,
            PathLength = (uint)bytes.Length,
        };
        return [.. Bytes(record), .. bytes];
    }

    /// <summary>What a socket call said: a link (conn to fd), a ClientHello (its bytes follow), or application data.</summary>
    public static byte[] Socket(byte kind, int fd, ulong connection = 0, ReadOnlySpan<byte> hello = default, ulong ts = 900_000, uint pid = 4242, string comm = "python3")
    {
        var record = new SocketRecord
        {
            RecordKind = RecordLayout.RecordSocket,
            SocketKind = kind,
            Pid = pid,
            Tid = pid + 8,
            Uid = 1000,
            TimestampNs = ts,
            Connection = connection,
            Fd = fd,
            Captured = (uint)hello.Length,
            Length = (ulong)hello.Length,
        };
        Encoding.UTF8.GetBytes(comm).CopyTo((Span<byte>)record.Comm);
        return [.. Bytes(record), .. hello];
    }

    public static byte[] Fork(uint child, uint parent) =>
        Bytes(Header(RecordLayout.RecordFork, child, 1_500_000, "sh", parent));

    private static ProcessRecordHeader Header(byte kind, uint pid, ulong ts, string comm, uint ppid = 1)
    {
        var header = new ProcessRecordHeader { RecordKind = kind, Pid = pid, Tid = pid, Ppid = ppid, Uid = 1000, TimestampNs = ts };
        var name = Encoding.UTF8.GetBytes(comm);
        name.AsSpan(0, Math.Min(15, name.Length)).CopyTo((Span<byte>)header.Comm);
        return header;
    }

    private static byte[] Bytes<T>(T value) where T : struct
    {
        var bytes = new byte[Marshal.SizeOf<T>()];
        MemoryMarshal.Write(bytes, in value);
        return bytes;
    }
}
