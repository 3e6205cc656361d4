using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using AgentSight.Host.Capture;

namespace AgentSight.Host.Bpf;

/// <summary>
/// Reads one or more BPF ring buffers through libbpf (one epoll set), handing each record to its consumer on the
/// calling thread. Not thread-safe: one thread polls; any thread may <see cref="Wake"/> it.
/// </summary>
internal sealed unsafe class RingBufferPoller : IDisposable
{
    private const int EventFdCloseOnExec = 0x80000, EventFdNonBlocking = 0x800;

    private readonly List<GCHandle> _slots = [];
    private readonly Lock _wakeGate = new();
    private RingBufferHandle? _handle;
    private int _wakeFd = -1;

    /// <summary>Adds a ring buffer map (of a loaded object) and who reads it.</summary>
    public void Add(BpfMap ring, IRingBufferConsumer consumer)
    {
        var slot = GCHandle.Alloc(new Slot(consumer));
        _slots.Add(slot);
        var context = (void*)GCHandle.ToIntPtr(slot);
        if (_handle is null)
        {
            var created = Libbpf.RingBufferNew(ring.Fd, &OnSample, context, null);
            if (created == 0)
            {
                throw new BpfException("ring_buffer__new", Marshal.GetLastPInvokeError(), ring.Name);
            }
            _handle = new RingBufferHandle(created);
            return;
        }
        var error = Libbpf.RingBufferAdd(_handle.DangerousGetHandle(), ring.Fd, &OnSample, context);
        if (error < 0)
        {
            throw new BpfException("ring_buffer__add", -error, ring.Name);
        }
    }

    /// <summary>
    /// Waits up to <paramref name="timeoutMs"/> until a ring signals records or <see cref="Wake"/> is called, without
    /// reading anything (<see cref="Consume"/> then reads every ring, in the order they were added).
    /// </summary>
    public void Wait(int timeoutMs)
    {
        // libbpf's epoll set and the wake-up descriptor together.
        var fds = stackalloc Posix.PollFd[2];
        fds[0] = new Posix.PollFd { Fd = Libbpf.RingBufferEpollFd(Handle()), Events = Posix.PollIn };
        fds[1] = new Posix.PollFd { Fd = _wakeFd, Events = Posix.PollIn };
        var count = _wakeFd < 0 ? 1 : 2;
        if (Posix.Poll(fds, (nuint)count, timeoutMs) < 0 && Marshal.GetLastPInvokeError() != Errno.EINTR)
        {
            throw new BpfException("poll", Marshal.GetLastPInvokeError());
        }
        if (count == 2 && (fds[1].ReturnedEvents & Posix.PollIn) != 0)
        {
            ulong signals;
            _ = Posix.Read(_wakeFd, (byte*)&signals, sizeof(ulong));
        }
    }

    /// <summary>
    /// Makes a waiting (or the next) <see cref="Wait"/> return at once, from any thread, once <see cref="EnableWake"/>
    /// was called: the capture loop then sees the command's exit without waiting for its next tick.
    /// </summary>
    public void Wake()
    {
        lock (_wakeGate)
        {
            if (_wakeFd >= 0)
            {
                var one = 1UL;
                _ = Posix.Write(_wakeFd, (byte*)&one, sizeof(ulong));
            }
        }
    }

    /// <summary>Lets <see cref="Wake"/> work (an eventfd beside the rings); without it, or when it fails, Wait waits its timeout.</summary>
    public void EnableWake()
    {
        lock (_wakeGate)
        {
            if (_wakeFd == -1)
            {
                _wakeFd = Posix.EventFd(0, EventFdCloseOnExec | EventFdNonBlocking);
            }
        }
    }

    /// <summary>Hands over every record available now, without waiting.</summary>
    public int Consume() => Run("ring_buffer__consume", Libbpf.RingBufferConsume(Handle()));

    public void Dispose()
    {
        lock (_wakeGate)
        {
            if (_wakeFd >= 0)
            {
                _ = Posix.Close(_wakeFd);
                // A Wake after this writes nowhere (the number may belong to another file by then).
                _wakeFd = int.MinValue;
            }
        }
        _handle?.Dispose();
        foreach (var slot in _slots)
        {
            slot.Free();
        }
        _slots.Clear();
    }

    private nint Handle() => _handle?.DangerousGetHandle() ?? throw new InvalidOperationException("no ring buffer was added");

    private int Run(string function, int result)
    {
        foreach (var slot in _slots)
        {
            if (slot.Target is Slot { Failure: { } failure } failed)
            {
                failed.Failure = null;
                ExceptionDispatchInfo.Capture(failure).Throw();
            }
        }
        if (result == -Errno.EINTR)
        {
            return 0;
        }
        if (result < 0)
        {
            throw new BpfException(function, -result);
        }
        return result;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int OnSample(void* context, void* data, nuint size)
    {
        var slot = (Slot)GCHandle.FromIntPtr((nint)context).Target!;
        try
        {
            slot.Consumer.OnRecord(new ReadOnlySpan<byte>(data, checked((int)size)));
            return 0;
        }
        catch (Exception ex)
        {
            // An exception must not cross into native code; libbpf stops this poll and the poller rethrows it.
            slot.Failure = ex;
            return -1;
        }
    }

    private sealed class Slot(IRingBufferConsumer consumer)
    {
        public IRingBufferConsumer Consumer { get; } = consumer;

        public Exception? Failure { get; set; }
    }
}
