using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;

namespace AgentSight.Host.Bpf;

/// <summary>
/// Reads one or more BPF ring buffers through libbpf (one epoll set), handing each record to its consumer on the
/// calling thread. Not thread-safe: one thread polls.
/// </summary>
internal sealed unsafe class RingBufferPoller : IDisposable
{
    private readonly List<GCHandle> _slots = [];
    private RingBufferHandle? _handle;

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

    /// <summary>Waits up to <paramref name="timeoutMs"/> for records and hands every available one over; returns how many.</summary>
    public int Poll(int timeoutMs) => Run("ring_buffer__poll", Libbpf.RingBufferPoll(Handle(), timeoutMs));

    /// <summary>Hands over every record available now, without waiting.</summary>
    public int Consume() => Run("ring_buffer__consume", Libbpf.RingBufferConsume(Handle()));

    public void Dispose()
    {
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
