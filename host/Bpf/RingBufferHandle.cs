using System.Runtime.InteropServices;

namespace AgentSight.Host.Bpf;

/// <summary>A <c>struct ring_buffer*</c> (libbpf's epoll set over one or more BPF ring buffer maps).</summary>
internal sealed class RingBufferHandle : SafeHandle
{
    public RingBufferHandle(nint ringBuffer)
        : base(0, ownsHandle: true) => SetHandle(ringBuffer);

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        Libbpf.RingBufferFree(handle);
        return true;
    }
}
