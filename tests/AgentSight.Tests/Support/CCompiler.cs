using System.Diagnostics;

namespace AgentSight.Tests.Support;

/// <summary>Compiles a small C program with the machine's cc, for tests that need a binary of a known shape.</summary>
internal static class CCompiler
{
    public static void Compile(string source, string output, params string[] flags)
    {
        var start = new ProcessStartInfo("cc", [.. flags, "-O1", "-o", output, source]) { RedirectStandardError = true, RedirectStandardOutput = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("cc could not be started");
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"cc failed (scripts/setup installs a C compiler): {errors}");
    }
}
