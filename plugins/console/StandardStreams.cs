using Microsoft.Win32.SafeHandles;

namespace AgentSight.Plugins.Console;

/// <summary>Opens stdout or stderr as a raw byte stream that reports a reader going away.</summary>
internal static class StandardStreams
{
    /// <summary>A stream over the standard stream; the caller disposes it (the descriptor itself stays open).</summary>
    public static Stream Open(ConsoleOutputStream which)
    {
        // Console.OpenStandardOutput() pretends that a write to a pipe whose reader has gone succeeded (it ignores
        // EPIPE), so `agentsight ... | head -1` would never learn that nobody reads any more. A FileStream over the
        // descriptor reports EPIPE. On a seekable target (a regular file, often shared with stderr through
        // `> out.log 2>&1`) a FileStream would write at an offset of its own rather than the shared one and could
        // overwrite the log lines, so there the console stream is right: a file has no reader to lose.
        if (!OperatingSystem.IsWindows())
        {
            FileStream? stream = null;
            try
            {
                var descriptor = which == ConsoleOutputStream.Stderr ? 2 : 1;
                stream = new FileStream(new SafeFileHandle(descriptor, ownsHandle: false), FileAccess.Write, bufferSize: 0);
                if (!stream.CanSeek)
                {
                    return stream;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
            {
                // A closed or unusual descriptor: the console stream below copes with those (it drops the output).
            }
            stream?.Dispose();
        }
        return which == ConsoleOutputStream.Stderr ? System.Console.OpenStandardError() : System.Console.OpenStandardOutput();
    }
}
