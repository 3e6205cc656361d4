using System.Runtime.InteropServices;

namespace AgentSight.Host.Bpf;

/// <summary>Names and messages of errno values (<c>ENOENT</c>, "No such file or directory").</summary>
internal static unsafe partial class Errno
{
    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int ESRCH = 3;
    public const int EINTR = 4;
    public const int E2BIG = 7;
    public const int EAGAIN = 11;
    public const int EACCES = 13;
    public const int EEXIST = 17;
    public const int EINVAL = 22;
    public const int ENOSPC = 28;
    public const int ENOSYS = 38;
    public const int EOPNOTSUPP = 95;

    /// <summary>The symbolic name, e.g. <c>EPERM</c>; <c>E123</c> for a value glibc does not name.</summary>
    public static string Name(int errno)
    {
        var name = StrErrorNameNp(errno);
        return name is null ? $"E{errno}" : Marshal.PtrToStringUTF8((nint)name) ?? $"E{errno}";
    }

    /// <summary>The C library's message, e.g. "Operation not permitted".</summary>
    public static string Message(int errno)
    {
        if (errno >= LibbpfErrorBase)
        {
            // libbpf's own codes (bad ELF, relocation failed, ...) are known only to libbpf.
            var buffer = stackalloc byte[256];
            return Libbpf.StrError(errno, buffer, 256) < 0 ? $"libbpf error {errno}" : Marshal.PtrToStringUTF8((nint)buffer) ?? $"libbpf error {errno}";
        }
        // glibc's strerror returns constant strings for known values; the rare unknown one uses a per-thread buffer.
        var message = StrError(errno);
        return message is null ? $"error {errno}" : Marshal.PtrToStringUTF8((nint)message) ?? $"error {errno}";
    }

    private const int LibbpfErrorBase = 4000;

    [LibraryImport("libc", EntryPoint = "strerror")]
    private static partial byte* StrError(int errno);

    [LibraryImport("libc", EntryPoint = "strerrorname_np")]
    private static partial byte* StrErrorNameNp(int errno);
}
