using System.Diagnostics;
using System.Text.RegularExpressions;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Agents;

/// <summary><c>scripts/agents</c> installs the same pinned versions, into the same folders, as <see cref="RealAgent"/> uses.</summary>
public sealed partial class AgentsScriptTests
{
    private static string Script => Path.Combine(Artifacts.RepoRoot, "scripts", "agents");

    [Fact]
    public void The_script_pins_the_versions_of_the_matrix()
    {
        var pinned = PinnedLine().Matches(File.ReadAllText(Script)).Select(m => m.Groups[1].Value).ToList();

        Assert.Equal(RealAgent.Matrix.Select(a => $"{a.Package}@{a.Version}"), pinned);
        Assert.Contains(RealAgent.Defaults, RealAgent.Matrix.Contains);
    }

    [Fact]
    public async Task The_script_lists_each_version_in_the_folder_the_tests_look_in()
    {
        using var cache = TempFolder.ForCaller();
        var installed = RealAgent.Matrix[^1];
        // A fake installation: the script only looks for the package's package.json.
        var marker = Path.Combine(cache.Path, Path.GetFileName(installed.InstallFolder), "node_modules", installed.Package, "package.json");
        Directory.CreateDirectory(Path.GetDirectoryName(marker)!);
        await File.WriteAllTextAsync(marker, "{}");
        var start = new ProcessStartInfo(Script, ["list"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["AGENTSIGHT_AGENTS_CACHE"] = cache.Path;

        using var process = Process.Start(start)!;
        var lines = (await process.StandardOutput.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        await process.WaitForExitAsync();

        Assert.Equal(0, process.ExitCode);
        Assert.Equal(RealAgent.Matrix.Count, lines.Length);
        Assert.Equal(Path.Combine(cache.Path, Path.GetFileName(installed.InstallFolder)), lines[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1]);
        Assert.All(lines[..^1], line => Assert.EndsWith(" missing", line, StringComparison.Ordinal));
        // The folder name the script makes is the one RealAgent expects under its cache root.
        Assert.Equal(Path.Combine(RealAgent.CacheRoot, Path.GetFileName(installed.InstallFolder)), installed.InstallFolder);
    }

    [GeneratedRegex(@"^\s+(@[a-z0-9-]+/[a-z0-9-]+@[0-9.]+)\s*$", RegexOptions.Multiline)]
    private static partial Regex PinnedLine();
}
