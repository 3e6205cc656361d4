using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace AgentSight.Tests.Support;

/// <summary>
/// Gives the hosts these tests start a working Ctrl+C even when the test run itself was started in the background.
/// </summary>
/// <remarks>
/// A shell without job control starts background commands with SIGINT ignored, children inherit that, and .NET
/// leaves an inherited ignored SIGINT ignored: every host a test interrupts would then run until its timeout. Only an
/// ignored SIGINT is reset to the default; a handler the runtime installed is left alone.
/// </remarks>
internal static partial class InterruptDisposition
{
    private const int SigInt = 2;
    private static readonly nint SigDefault = 0;
    private static readonly nint SigIgnore = 1;

    [ModuleInitializer]
    internal static void RestoreDefaultWhenIgnored()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        // struct sigaction starts with the handler; 256 bytes cover the rest of it on every Linux ABI.
        Span<byte> current = stackalloc byte[256];
        unsafe
        {
            fixed (byte* buffer = current)
            {
                if (SigAction(SigInt, null, buffer) != 0 || *(nint*)buffer != SigIgnore)
                {
                    return;
                }
            }
        }
        Signal(SigInt, SigDefault);
    }

    [LibraryImport("libc", EntryPoint = "sigaction")]
    private static unsafe partial int SigAction(int signal, byte* action, byte* previous);

    [LibraryImport("libc", EntryPoint = "signal")]
    private static partial nint Signal(int signal, nint handler);
}
