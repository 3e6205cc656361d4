using AgentSight.Host.Capture;

namespace AgentSight.Tests.Capture;

/// <summary>
/// What capture tests need from the machine. CI runs them as root on a kernel with BPF: a machine that lacks
/// something makes them fail, loudly and saying what, never skip.
/// </summary>
internal static class CaptureEnvironment
{
    /// <summary>Fails the test when live capture cannot work here.</summary>
    public static void Require()
    {
        var problem = new Preflight().Check(needTracefs: true, needUprobes: true);
        Assert.True(problem is null, $"live-capture tests need root and BPF (CI runs them as root; run scripts/setup first): {problem}");
    }

    /// <summary>The system's Python (a version manager's shim would add its own scripts to every recording).</summary>
    public static string Python => File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : Tool("python3");

    /// <summary>A program on PATH; fails the test when it is missing.</summary>
    public static string Tool(string name)
    {
        var found = TlsDiscovery.ResolveExecutable(name, Environment.GetEnvironmentVariable("PATH") + ":/usr/bin:/bin:/usr/sbin");
        Assert.True(found is not null, $"{name} is needed by this test and was not found (scripts/setup installs it)");
        return found!;
    }
}
