using System.Runtime.InteropServices;

namespace AgentSight.Host.Bpf;

/// <summary>A <c>struct bpf_link*</c>: destroying it detaches the program.</summary>
internal sealed class BpfLinkHandle : SafeHandle
{
    public BpfLinkHandle(nint link)
        : base(0, ownsHandle: true) => SetHandle(link);

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle() => Libbpf.LinkDestroy(handle) == 0;
}
