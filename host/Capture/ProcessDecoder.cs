using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Host.Bpf;

namespace AgentSight.Host.Capture;

/// <summary>
/// Turns the process program's records into <c>process</c> events (docs/EVENTS.md): <c>EXEC</c> with the path and
/// argv, <c>FORK</c>, <c>EXIT</c> with the code or the signal, <c>FILE_OPEN</c> with the fd or the error. connect()
/// and files mapped executable are handed to <see cref="ProcessHooks"/> (network events, TLS discovery).
/// </summary>
/// <remarks>
/// The TLS and process records come through separate rings, so a process's <c>EXIT</c> can be read before its last
/// TLS read, and an analyzer would close that connection too early. An <c>EXIT</c> (and every process event after
/// it, to keep their order) is therefore held until <see cref="ReleaseHeld"/>, which the reader calls once it has
/// drained every ring after reading it: a TLS record is always written before its process exits.
/// </remarks>
internal sealed class ProcessDecoder : IRingBufferConsumer
{
    private static readonly int HeaderSize = Marshal.SizeOf<ProcessRecordHeader>();
    private static readonly int ExecSize = Marshal.SizeOf<ExecRecord>();
    private static readonly int ExitSize = Marshal.SizeOf<ExitRecord>();
    private static readonly int OpenSize = Marshal.SizeOf<OpenRecord>();
    private static readonly int ConnectSize = Marshal.SizeOf<ConnectRecord>();
    private static readonly int MmapSize = Marshal.SizeOf<MmapRecord>();
    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    private readonly BootClock _clock;
    private readonly CommNames _comms;
    private readonly Action<AgentEvent>? _emit;
    private readonly ProcessHooks _hooks;
    private readonly ProcessCounters _counters;
    private readonly ProcessContainers? _containers;
    private readonly Dictionary<uint, ulong> _execTimes = [];
    private readonly List<AgentEvent> _held = [];
    private readonly List<int> _exited = [];

    /// <param name="emit">Where events go; null when only the side effects are wanted (TLS discovery on exec).</param>
    /// <param name="hooks">Told of execs (before the event is emitted), exits (once every ring was drained after them), connects and mappings.</param>
    /// <param name="containers">Puts each process's container on its events (exec, fork, first sighting); null: none.</param>
    public ProcessDecoder(BootClock clock, CommNames comms, Action<AgentEvent>? emit, ProcessHooks? hooks, ProcessCounters counters,
        ProcessContainers? containers = null)
    {
        _containers = containers;
        _clock = clock;
        _comms = comms;
        _emit = emit;
        _hooks = hooks ?? new ProcessHooks();
        _counters = counters;
    }

    public void OnRecord(ReadOnlySpan<byte> record)
    {
        if (record.Length < HeaderSize)
        {
            _counters.BadRecords.Add();
            return;
        }
        var header = MemoryMarshal.Read<ProcessRecordHeader>(record);
        switch (header.RecordKind)
        {
            case RecordLayout.RecordExec when record.Length >= ExecSize:
                Exec(record);
                break;
            case RecordLayout.RecordFork:
                Fork(header);
                break;
            case RecordLayout.RecordExit when record.Length >= ExitSize:
                Exit(MemoryMarshal.Read<ExitRecord>(record));
                break;
            case RecordLayout.RecordOpen when record.Length >= OpenSize:
                Open(record);
                break;
            case RecordLayout.RecordConnect when record.Length >= ConnectSize:
                Connect(MemoryMarshal.Read<ConnectRecord>(record));
                break;
            case RecordLayout.RecordRenamed:
                _hooks.NeedsProbes?.Invoke((int)header.Pid);
                break;
            case RecordLayout.RecordMmap when record.Length >= MmapSize:
                var mapped = MemoryMarshal.Read<MmapRecord>(record);
                var heldAtMap = (mapped.Header.Flags & RecordLayout.ProcessHeld) != 0;
                if (heldAtMap)
                {
                    _counters.HeldAtMap.Add();
                }
                _hooks.Mapped?.Invoke((int)mapped.Header.Pid, mapped.Device, mapped.Inode, heldAtMap);
                break;
            default:
                _counters.BadRecords.Add();
                break;
        }
    }

    private void Exec(ReadOnlySpan<byte> record)
    {
        var exec = MemoryMarshal.Read<ExecRecord>(record);
        var data = record[ExecSize..];
        if ((long)exec.FilenameLength + exec.ArgsLength > data.Length)
        {
            _counters.BadRecords.Add();
            return;
        }
        var header = exec.Header;
        _execTimes[header.Pid] = header.TimestampNs;
        var filename = Utf8.GetString(data[..(int)exec.FilenameLength]);
        var held = (header.Flags & RecordLayout.ProcessHeld) != 0;
        if (held)
        {
            _counters.HeldAtExec.Add();
        }
        if ((header.Flags & RecordLayout.ProcessUnholdable) != 0)
        {
            _hooks.Unholdable?.Invoke((int)header.Pid);
        }
        _hooks.Exec?.Invoke((int)header.Pid, filename, held);
        if (_emit is null)
        {
            return;
        }

        var args = data.Slice((int)exec.FilenameLength, (int)exec.ArgsLength);
        var truncated = exec.ArgsFullLength > exec.ArgsLength;
        if (!truncated && args.Length > 0 && args[^1] == 0)
        {
            args = args[..^1];
        }
        var argv = new JsonArray();
        if (args.Length > 0)
        {
            foreach (var range in args.Split((byte)0))
            {
                argv.Add(Utf8.GetString(args[range]));
            }
        }
        var fields = new JsonObject
        {
            ["event"] = "EXEC",
            ["ppid"] = (int)header.Ppid,
            ["filename"] = filename,
            ["argv"] = argv,
            ["uid"] = (int)header.Uid,
        };
        if (truncated)
        {
            fields["argv_truncated"] = true;
        }
        Emit(header, fields);
    }

    private void Fork(in ProcessRecordHeader header)
    {
        if ((header.Flags & RecordLayout.ProcessProbedParent) != 0)
        {
            _hooks.NeedsProbes?.Invoke((int)header.Pid);
        }
        if (_emit is null || (header.Flags & RecordLayout.ProcessQuiet) != 0)
        {
            return;
        }
        Emit(header, new JsonObject
        {
            ["event"] = "FORK",
            ["ppid"] = (int)header.Ppid,
        });
    }

    private void Exit(in ExitRecord exit)
    {
        var header = exit.Header;
        var startedAt = _execTimes.Remove(header.Pid, out var execNs) ? execNs : (ulong?)null;
        _exited.Add((int)header.Pid);
        if (_emit is null)
        {
            return;
        }
        // The kernel's exit_code is a wait status: (code << 8) for exit(code), the signal number (plus 0x80 for a
        // core dump) for a death by signal. exit_code is what a shell's $? would show: 128 + signal when killed.
        var raw = exit.ExitCode;
        var signal = (int)(raw & 0x7f);
        var fields = new JsonObject
        {
            ["event"] = "EXIT",
            ["ppid"] = (int)header.Ppid,
            ["exit_code"] = signal != 0 ? 128 + signal : (int)((raw >> 8) & 0xff),
            ["signal"] = signal != 0 ? signal : null,
            ["core_dumped"] = (raw & 0x80) != 0,
        };
        if (startedAt is { } started && header.TimestampNs >= started)
        {
            fields["duration_ms"] = Math.Round((header.TimestampNs - started) / 1_000_000.0, 3);
        }
        Emit(header, fields, holdFromHere: true);
    }

    private void Open(ReadOnlySpan<byte> record)
    {
        if (_emit is null)
        {
            return;
        }
        var open = MemoryMarshal.Read<OpenRecord>(record);
        var data = record[OpenSize..];
        if (open.PathLength > data.Length)
        {
            _counters.BadRecords.Add();
            return;
        }
        var fields = new JsonObject
        {
            ["event"] = "FILE_OPEN",
            ["filepath"] = Utf8.GetString(data[..(int)open.PathLength]),
            ["flags"] = (long)open.Flags,
            ["mode"] = (long)open.Mode,
            ["syscall"] = open.Syscall == 1 ? "openat2" : "openat",
        };
        if (open.Result >= 0)
        {
            fields["fd"] = (int)open.Result;
        }
        else
        {
            var errno = (int)-open.Result;
            fields["error"] = Errno.Name(errno);
            fields["errno"] = errno;
        }
        Emit(open.Header, fields);
    }

    /// <summary>Hands on the events held since the last call (see the remarks); call after every ring was drained.</summary>
    public void ReleaseHeld()
    {
        foreach (var evt in _held)
        {
            _emit!(evt);
        }
        _held.Clear();
        foreach (var pid in _exited)
        {
            _hooks.Exit?.Invoke(pid);
        }
        _exited.Clear();
    }

    private void Connect(in ConnectRecord connect)
    {
        if ((connect.Header.Flags & RecordLayout.ProcessHeld) != 0)
        {
            _counters.HeldAtConnect.Add();
        }
        var address = Network.SocketAddress.Parse(((ReadOnlySpan<byte>)connect.Address)[..(int)Math.Min(connect.AddressLength, (uint)RecordLayout.SockaddrMax)]);
        _hooks.Connect?.Invoke(connect.Header, connect.Fd, connect.Result, address, _comms.Get(connect.Header.Comm));
    }

    // Numbers are stored as int or long (never uint): analyzers read them back as the JSON a file would give.
    private void Emit(in ProcessRecordHeader header, JsonObject fields, bool holdFromHere = false)
    {
        var starts = fields["event"]?.GetValue<string>() is "EXEC" or "FORK";
        if (_containers is not null && _containers.Tell((int)header.Pid, (int)header.Ppid, starts, out var container) && container is not null)
        {
            fields["container"] = container.ToJson();
        }
        var evt = new AgentEvent(_clock.ToEpoch(header.TimestampNs), EventSources.Process, (int)header.Pid, (int)header.Tid,
            _comms.Get(header.Comm), new JsonPayload(fields));
        if (holdFromHere || _held.Count > 0)
        {
            _held.Add(evt);
            return;
        }
        _emit!(evt);
    }
}
