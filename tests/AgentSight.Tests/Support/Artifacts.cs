using System.Reflection;

namespace AgentSight.Tests.Support;

/// <summary>Where the build put the real host, plugins and test plugins.</summary>
public static class Artifacts
{
    private static string Metadata(string key) =>
        typeof(Artifacts).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    /// <summary>artifacts/&lt;Configuration&gt;/ of this build.</summary>
    public static string Directory => Metadata("ArtifactsDir");

    public static string RepoRoot => Metadata("RepoRoot");

    public static string HostDll => Path.Combine(Directory, "host", "agentsight.dll");

    public static string PluginsDirectory => Path.Combine(Directory, "plugins");

    public static string TestPluginsDirectory => Path.Combine(Directory, "test-plugins");

    public static string Sample(string name) => Path.Combine(RepoRoot, "samples", name);

    /// <summary>Copies real and test plugins by name into a fresh plugins folder (so a test can write its own manifest).</summary>
    public static string MakePluginsFolder(TempFolder folder, params string[] plugins)
    {
        var target = folder.Combine("plugins");
        System.IO.Directory.CreateDirectory(target);
        foreach (var name in plugins)
        {
            var source = Path.Combine(PluginsDirectory, name);
            if (!System.IO.Directory.Exists(source))
            {
                source = Path.Combine(TestPluginsDirectory, name);
            }
            CopyDirectory(source, Path.Combine(target, name));
        }
        return target;
    }

    public static void CopyDirectory(string source, string target)
    {
        if (!System.IO.Directory.Exists(source))
        {
            throw new DirectoryNotFoundException($"{source} does not exist: was the solution built?");
        }
        System.IO.Directory.CreateDirectory(target);
        foreach (var file in System.IO.Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(source, file));
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination, overwrite: true);
        }
    }
}
