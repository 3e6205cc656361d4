using System.Runtime.InteropServices;

namespace AgentSight.Host.Bpf;

/// <summary><c>struct bpf_uprobe_opts</c> of libbpf 1.1 on x86-64 (40 bytes).</summary>
[StructLayout(LayoutKind.Explicit, Size = 40)]
internal unsafe struct UprobeOptions
{
    [FieldOffset(0)] public nuint Size;
    [FieldOffset(8)] public nuint RefCounterOffset;
    [FieldOffset(16)] public ulong Cookie;
    /// <summary>A return probe. The section name alone does not make one when attaching by hand.</summary>
    [FieldOffset(24)] public byte RetProbe;
    [FieldOffset(32)] public byte* FunctionName;
}
