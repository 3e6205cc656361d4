using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace AgentSight.Host.Bpf;

/// <summary>
/// A BPF ELF object opened by libbpf from bytes in memory (our embedded programs): set its load-time constants and
/// map sizes, load it into the kernel, then find its programs and maps.
/// </summary>
internal sealed unsafe class BpfObject : IDisposable
{
    private readonly BpfObjectHandle _handle;
    private readonly Dictionary<string, BpfMap> _maps = new(StringComparer.Ordinal);
    private bool _loaded;

    private BpfObject(BpfObjectHandle handle, string name)
    {
        _handle = handle;
        Name = name;
    }

    public string Name { get; }

    /// <summary>Opens an object from its ELF bytes (copied to native memory that lives as long as the object).</summary>
    /// <param name="name">The object's name (in libbpf's messages and the kernel's map names).</param>
    /// <param name="elf">The object file's bytes.</param>
    /// <param name="kernelBtf">
    /// A BTF file to relocate against instead of the kernel's own (<c>btf_custom_path</c>), such as one cut down to
    /// what the object reads; null for the kernel's.
    /// </param>
    public static BpfObject Open(string name, ReadOnlySpan<byte> elf, string? kernelBtf = null)
    {
        var buffer = NativeMemory.Alloc((nuint)elf.Length);
        elf.CopyTo(new Span<byte>(buffer, elf.Length));
        var nameBytes = Encoding.UTF8.GetBytes(name + "\0");
        var btfBytes = kernelBtf is null ? null : Encoding.UTF8.GetBytes(kernelBtf + "\0");
        nint obj;
        string log;
        using (var kept = LibbpfLog.Keep())
        {
            fixed (byte* namePointer = nameBytes)
            fixed (byte* btfPointer = btfBytes)
            {
                var options = new ObjectOpenOptions { Size = (nuint)sizeof(ObjectOpenOptions), ObjectName = namePointer, BtfCustomPath = btfPointer };
                obj = Libbpf.ObjectOpenMem(buffer, (nuint)elf.Length, &options);
            }
            log = kept.Text;
        }
        if (obj == 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            NativeMemory.Free(buffer);
            throw new BpfException("bpf_object__open_mem", errno, name) { Log = log };
        }
        return new BpfObject(new BpfObjectHandle(obj, buffer), name);
    }

    /// <summary>
    /// The object's load-time constants (its <c>.rodata</c>, which holds exactly one <typeparamref name="T"/>), to be
    /// written before <see cref="Load"/>; the kernel then sees them as constants and prunes what they switch off.
    /// </summary>
    public ref T Config<T>() where T : unmanaged
    {
        ThrowIfLoaded("set the configuration of");
        var map = FindMap(static name => name.EndsWith(".rodata", StringComparison.Ordinal))
            ?? throw new BpfException($"{Name}: the object has no .rodata section");
        nuint size;
        var data = Libbpf.MapInitialValue(map.Pointer, &size);
        if (data is null || size != (nuint)sizeof(T))
        {
            throw new BpfException($"{Name}: .rodata holds {size} bytes where {typeof(T).Name} has {sizeof(T)}: bpf/agentsight.h and host/Capture/Records.cs disagree");
        }
        return ref Unsafe.AsRef<T>(data);
    }

    /// <summary>
    /// Loads <paramref name="program"/> for one way of attaching (<c>expected_attach_type</c>), before <see cref="Load"/>:
    /// a program meant for uprobe_multi links (<see cref="UprobeMulti"/>) must be loaded as one.
    /// </summary>
    public void SetExpectedAttachType(string program, int attachType)
    {
        ThrowIfLoaded("set the attach type of a program of");
        var pointer = Libbpf.FindProgramByName(_handle.DangerousGetHandle(), program);
        if (pointer == 0)
        {
            throw new BpfException("bpf_object__find_program_by_name", Marshal.GetLastPInvokeError(), $"{Name}: {program}");
        }
        var error = Libbpf.SetExpectedAttachType(pointer, attachType);
        if (error < 0)
        {
            throw new BpfException("bpf_program__set_expected_attach_type", -error, $"{Name}: {program}");
        }
    }

    public BpfMap Map(string name) =>
        FindMap(n => n == name) ?? throw new BpfException($"{Name}: no map named {name}");

    public BpfProgram Program(string name)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        var program = Libbpf.FindProgramByName(_handle.DangerousGetHandle(), name);
        if (program == 0)
        {
            throw new BpfException("bpf_object__find_program_by_name", Marshal.GetLastPInvokeError(), $"{Name}: {name}");
        }
        return new BpfProgram(this, program, name);
    }

    /// <summary>Every program of the object, in the order the object lists them.</summary>
    public IEnumerable<BpfProgram> Programs()
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        var programs = new List<BpfProgram>();
        for (var program = Libbpf.NextProgram(_handle.DangerousGetHandle(), 0); program != 0; program = Libbpf.NextProgram(_handle.DangerousGetHandle(), program))
        {
            programs.Add(new BpfProgram(this, program, Marshal.PtrToStringUTF8((nint)Libbpf.ProgramName(program)) ?? "?"));
        }
        return programs;
    }

    /// <summary>Loads every program and creates every map; the verifier's log is in the exception when it refuses one.</summary>
    public void Load()
    {
        ThrowIfLoaded("load");
        using var kept = LibbpfLog.Keep();
        var error = Libbpf.ObjectLoad(_handle.DangerousGetHandle());
        if (error < 0)
        {
            throw new BpfException("bpf_object__load", -error, Name) { Log = kept.Text };
        }
        _loaded = true;
    }

    public void Dispose() => _handle.Dispose();

    internal void ThrowIfLoaded(string action)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        if (_loaded)
        {
            throw new InvalidOperationException($"{Name}: cannot {action} an object that is already loaded");
        }
    }

    internal void ThrowIfNotLoaded(string action)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        if (!_loaded)
        {
            throw new InvalidOperationException($"{Name}: cannot {action} before the object is loaded");
        }
    }

    private BpfMap? FindMap(Func<string, bool> match)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        if (_maps.Count == 0)
        {
            for (var map = Libbpf.NextMap(_handle.DangerousGetHandle(), 0); map != 0; map = Libbpf.NextMap(_handle.DangerousGetHandle(), map))
            {
                var name = Marshal.PtrToStringUTF8((nint)Libbpf.MapName(map)) ?? string.Empty;
                _maps[name] = new BpfMap(this, map, name);
            }
        }
        return _maps.Values.FirstOrDefault(m => match(m.Name));
    }
}
