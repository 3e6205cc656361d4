using System.Runtime.InteropServices;

namespace AgentSight.Host.Bpf;

/// <summary>
/// A <c>struct bpf_object*</c> and the native copy of the ELF bytes it was opened from: libbpf reads that buffer
/// until the object is closed, so both go together.
/// </summary>
internal sealed unsafe class BpfObjectHandle : SafeHandle
{
    private void* _elf;

    public BpfObjectHandle(nint obj, void* elf)
        : base(0, ownsHandle: true)
    {
        SetHandle(obj);
        _elf = elf;
    }

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        Libbpf.ObjectClose(handle);
        NativeMemory.Free(_elf);
        _elf = null;
        return true;
    }
}
