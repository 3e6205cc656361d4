using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging;

namespace AgentSight.Host.Bpf;

/// <summary>
/// libbpf's messages, into the host's log at debug level; while a load runs they are also kept, so that the
/// verifier's log can be shown when a program is refused.
/// </summary>
/// <remarks>
/// libbpf hands its print function a printf format and a <c>va_list</c>. On x86-64 a <c>va_list</c> is a pointer to
/// one 24-byte register-save descriptor, so copying those 24 bytes is <c>va_copy</c>: the copy measures the text,
/// the original formats it.
/// </remarks>
internal static unsafe partial class LibbpfLog
{
    private const int LevelInfo = 1;
    private const int VaListSize = 24;
    private const int KeptChars = 256 * 1024;

    private static readonly Lock Gate = new();
    private static ILogger? s_logger;
    private static bool s_installed;

    [ThreadStatic]
    private static StringBuilder? t_kept;

    /// <summary>Routes libbpf's messages to <paramref name="logger"/> (the last call wins; libbpf has one print hook).</summary>
    public static void Install(ILogger logger)
    {
        lock (Gate)
        {
            s_logger = logger;
            if (!s_installed)
            {
                Libbpf.SetPrint(&Print);
                s_installed = true;
            }
        }
    }

    /// <summary>Keeps what libbpf prints on this thread until the scope ends; <see cref="Scope.Text"/> reads it.</summary>
    public static Scope Keep() => new();

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Print(int level, byte* format, nint args)
    {
        try
        {
            var logger = s_logger;
            // libbpf's debug lines (about 2,700 per recording's start: every CO-RE relocation) are formatted only when
            // they are logged: formatting them cost the loading threads time on every start. What explains a failure
            // (the verifier's log, a relocation that failed) comes at warning level and is always kept.
            if (level > LevelInfo && logger?.IsEnabled(LogLevel.Trace) != true)
            {
                return 0;
            }
            var text = Format(format, args).TrimEnd('\n');
            if (t_kept is { } kept)
            {
                kept.Append(text).Append('\n');
                if (kept.Length > KeptChars)
                {
                    // The end of a verifier log says why; the start is the program listing.
                    kept.Remove(0, kept.Length - KeptChars);
                }
            }
            if (logger is not null)
            {
                var logLevel = level <= LevelInfo ? LogLevel.Debug : LogLevel.Trace;
                if (logger.IsEnabled(logLevel))
                {
                    logger.Log(logLevel, "libbpf: {Message}", text);
                }
            }
        }
        catch
        {
            // Nothing may escape into native code.
        }
        return 0;
    }

    private static string Format(byte* format, nint args)
    {
        if (RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            return Marshal.PtrToStringUTF8((nint)format) ?? string.Empty;
        }
        var copy = stackalloc byte[VaListSize];
        Buffer.MemoryCopy((void*)args, copy, VaListSize, VaListSize);
        var length = VsnPrintf(null, 0, format, (nint)copy);
        if (length <= 0)
        {
            return string.Empty;
        }
        var buffer = (byte*)NativeMemory.Alloc((nuint)length + 1);
        try
        {
            var written = VsnPrintf(buffer, (nuint)length + 1, format, args);
            return Encoding.UTF8.GetString(buffer, Math.Clamp(written, 0, length));
        }
        finally
        {
            NativeMemory.Free(buffer);
        }
    }

    [LibraryImport("libc", EntryPoint = "vsnprintf")]
    private static partial int VsnPrintf(byte* buffer, nuint size, byte* format, nint args);

    /// <summary>A span of time during which libbpf's messages on this thread are kept.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly StringBuilder? _previous;
        private readonly StringBuilder _kept;

        public Scope()
        {
            _previous = t_kept;
            _kept = new StringBuilder();
            t_kept = _kept;
        }

        public string Text => _kept.ToString();

        public void Dispose() => t_kept = _previous;
    }
}
