namespace AgentSight.Host.Capture;

/// <summary>The BPF objects built from bpf/ and embedded in the host assembly.</summary>
internal static class EmbeddedObjects
{
    public const string Tls = "tls.bpf.o";
    public const string Process = "process.bpf.o";
    public const string Io = "io.bpf.o";

    public static byte[] Read(string name)
    {
        using var stream = typeof(EmbeddedObjects).Assembly.GetManifestResourceStream("AgentSight.Bpf." + name)
            ?? throw new InvalidOperationException($"the BPF object {name} is not embedded in the host: was bpf/ built (make -C bpf)?");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }
}
