using System.Text;

namespace AgentSight.Host.Capture;

/// <summary>
/// Reads a small file of a process under <c>/proc</c> without throwing when the process is gone. Capture reads them
/// for processes that often exited before their event was decoded (a build's short programs): an exception for each
/// cost more than the read, 10 % of the host's CPU on the process/file workload.
/// </summary>
internal static unsafe class ProcFile
{
    /// <summary>Larger files are cut at this many bytes (a cgroup file is a line or a few dozen).</summary>
    private const int MaxBytes = 16 * 1024;

    /// <summary>The file's text (UTF-8), or null when it cannot be opened or read.</summary>
    public static string? TryReadText(string path)
    {
        var fd = Posix.Open(path, Posix.OCloexec);
        if (fd < 0)
        {
            return null;
        }
        try
        {
            Span<byte> buffer = stackalloc byte[MaxBytes];
            var length = 0;
            fixed (byte* start = buffer)
            {
                while (length < buffer.Length)
                {
                    var read = Posix.Read(fd, start + length, (nuint)(buffer.Length - length));
                    if (read < 0)
                    {
                        return null;
                    }
                    if (read == 0)
                    {
                        break;
                    }
                    length += (int)read;
                }
            }
            return Encoding.UTF8.GetString(buffer[..length]);
        }
        finally
        {
            _ = Posix.Close(fd);
        }
    }
}
