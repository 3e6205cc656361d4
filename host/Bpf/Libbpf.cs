using System.Runtime.InteropServices;

namespace AgentSight.Host.Bpf;

/// <summary>
/// The libbpf 1.x functions the host uses, from the system's <c>libbpf.so.1</c>. Raw and unsafe: use
/// <see cref="BpfObject"/>, <see cref="BpfMap"/>, <see cref="BpfProgram"/> and <see cref="RingBufferPoller"/>.
/// </summary>
/// <remarks>
/// libbpf 1.x reports errors two ways: functions returning a pointer return NULL and set errno (read with
/// <see cref="Marshal.GetLastPInvokeError"/>, hence <c>SetLastError</c>), functions returning int return a negative
/// errno.
/// </remarks>
internal static unsafe partial class Libbpf
{
    public const string Library = "libbpf.so.1";

    [LibraryImport(Library, EntryPoint = "bpf_object__open_mem", SetLastError = true)]
    public static partial nint ObjectOpenMem(void* buffer, nuint size, ObjectOpenOptions* options);

    [LibraryImport(Library, EntryPoint = "bpf_object__load")]
    public static partial int ObjectLoad(nint obj);

    [LibraryImport(Library, EntryPoint = "bpf_object__close")]
    public static partial void ObjectClose(nint obj);

    [LibraryImport(Library, EntryPoint = "bpf_object__find_program_by_name", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial nint FindProgramByName(nint obj, string name);

    [LibraryImport(Library, EntryPoint = "bpf_object__next_map")]
    public static partial nint NextMap(nint obj, nint previous);

    [LibraryImport(Library, EntryPoint = "bpf_map__name")]
    public static partial byte* MapName(nint map);

    [LibraryImport(Library, EntryPoint = "bpf_map__fd")]
    public static partial int MapFd(nint map);

    [LibraryImport(Library, EntryPoint = "bpf_map__reuse_fd")]
    public static partial int MapReuseFd(nint map, int fd);

    [LibraryImport(Library, EntryPoint = "bpf_map__set_max_entries")]
    public static partial int MapSetMaxEntries(nint map, uint maxEntries);

    [LibraryImport(Library, EntryPoint = "bpf_map__max_entries")]
    public static partial uint MapMaxEntries(nint map);

    [LibraryImport(Library, EntryPoint = "bpf_map__initial_value")]
    public static partial void* MapInitialValue(nint map, nuint* size);

    [LibraryImport(Library, EntryPoint = "bpf_map__lookup_elem")]
    public static partial int MapLookupElem(nint map, void* key, nuint keySize, void* value, nuint valueSize, ulong flags);

    [LibraryImport(Library, EntryPoint = "bpf_map__update_elem")]
    public static partial int MapUpdateElem(nint map, void* key, nuint keySize, void* value, nuint valueSize, ulong flags);

    [LibraryImport(Library, EntryPoint = "bpf_map__delete_elem")]
    public static partial int MapDeleteElem(nint map, void* key, nuint keySize, ulong flags);

    [LibraryImport(Library, EntryPoint = "bpf_map__get_next_key")]
    public static partial int MapGetNextKey(nint map, void* currentKey, void* nextKey, nuint keySize);

    [LibraryImport(Library, EntryPoint = "bpf_program__name")]
    public static partial byte* ProgramName(nint program);

    [LibraryImport(Library, EntryPoint = "bpf_object__next_program")]
    public static partial nint NextProgram(nint obj, nint previous);

    [LibraryImport(Library, EntryPoint = "bpf_program__fd")]
    public static partial int ProgramFd(nint program);

    [LibraryImport(Library, EntryPoint = "bpf_link__fd")]
    public static partial int LinkFd(nint link);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(int fd, int command, int argument);

    [LibraryImport(Library, EntryPoint = "bpf_program__set_expected_attach_type")]
    public static partial int SetExpectedAttachType(nint program, int attachType);

    /// <summary>The <c>bpf(2)</c> system call itself, for what this libbpf version has no function for (uprobe_multi links).</summary>
    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    public static partial long Syscall(long number, long command, void* attr, long size);

    [LibraryImport(Library, EntryPoint = "bpf_program__attach_uprobe_opts", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial nint AttachUprobe(nint program, int pid, string binaryPath, nuint functionOffset, UprobeOptions* options);

    [LibraryImport(Library, EntryPoint = "bpf_program__attach_tracepoint", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial nint AttachTracepoint(nint program, string category, string name);

    [LibraryImport(Library, EntryPoint = "bpf_program__attach_raw_tracepoint", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial nint AttachRawTracepoint(nint program, string name);

    [LibraryImport(Library, EntryPoint = "bpf_link__destroy")]
    public static partial int LinkDestroy(nint link);

    [LibraryImport(Library, EntryPoint = "ring_buffer__new", SetLastError = true)]
    public static partial nint RingBufferNew(int mapFd, delegate* unmanaged[Cdecl]<void*, void*, nuint, int> sample, void* context, void* options);

    [LibraryImport(Library, EntryPoint = "ring_buffer__add")]
    public static partial int RingBufferAdd(nint ringBuffer, int mapFd, delegate* unmanaged[Cdecl]<void*, void*, nuint, int> sample, void* context);

    [LibraryImport(Library, EntryPoint = "ring_buffer__consume")]
    public static partial int RingBufferConsume(nint ringBuffer);

    [LibraryImport(Library, EntryPoint = "ring_buffer__epoll_fd")]
    public static partial int RingBufferEpollFd(nint ringBuffer);

    [LibraryImport(Library, EntryPoint = "ring_buffer__free")]
    public static partial void RingBufferFree(nint ringBuffer);

    [LibraryImport(Library, EntryPoint = "libbpf_set_print")]
    public static partial nint SetPrint(delegate* unmanaged[Cdecl]<int, byte*, nint, int> print);

    [LibraryImport(Library, EntryPoint = "libbpf_num_possible_cpus")]
    public static partial int NumPossibleCpus();

    [LibraryImport(Library, EntryPoint = "libbpf_probe_bpf_map_type")]
    public static partial int ProbeMapType(int mapType, void* options);

    [LibraryImport(Library, EntryPoint = "libbpf_strerror")]
    public static partial int StrError(int error, byte* buffer, nuint size);
}
