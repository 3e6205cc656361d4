using System.Runtime.InteropServices;

namespace AgentSight.Host.Bpf;

/// <summary>A <c>struct bpf_link*</c>: destroying it detaches the program.</summary>
internal sealed class BpfLinkHandle : SafeHandle
{
    public BpfLinkHandle(nint link)
        : base(0, ownsHandle: true) => SetHandle(link);

    public override bool IsInvalid => handle == 0;

    /// <summary>The link's file descriptor (held open by the kernel object as long as the link lives).</summary>
    public int Fd => Libbpf.LinkFd(handle);

    protected override bool ReleaseHandle() => Libbpf.LinkDestroy(handle) == 0;
}
