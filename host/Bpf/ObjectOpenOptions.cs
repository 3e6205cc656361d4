using System.Runtime.InteropServices;

namespace AgentSight.Host.Bpf;

/// <summary><c>struct bpf_object_open_opts</c> of libbpf 1.1 on x86-64 (80 bytes; <c>sz</c> tells libbpf which fields exist).</summary>
[StructLayout(LayoutKind.Explicit, Size = 80)]
internal unsafe struct ObjectOpenOptions
{
    [FieldOffset(0)] public nuint Size;
    [FieldOffset(8)] public byte* ObjectName;
    [FieldOffset(16)] public byte RelaxedMaps;
    [FieldOffset(24)] public byte* PinRootPath;
    [FieldOffset(40)] public byte* KConfig;
    [FieldOffset(48)] public byte* BtfCustomPath;
    [FieldOffset(56)] public byte* KernelLogBuffer;
    [FieldOffset(64)] public nuint KernelLogSize;
    [FieldOffset(72)] public uint KernelLogLevel;
}
