using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using AgentSight.Host.Capture;
using AgentSight.Host.Capture.Discovery;
using AgentSight.Host.Hosting;

namespace AgentSight.Host.Cli;

/// <summary>
/// <c>probes BINARY|PID…</c>: which TLS stack discovery finds in a file (or in every file a process maps), where each
/// probe would go, how it was found, and what could not be found. Nothing is attached; no root is needed to look at a
/// file one can read.
/// </summary>
internal static class ProbesCommand
{
    public static Command Create(GlobalOptions global)
    {
        var targets = new Argument<string[]>("target")
        {
            Description = "Executables or libraries to look into, or pids of running processes (every file they map executable)",
            Arity = ArgumentArity.OneOrMore,
            HelpName = "BINARY|PID",
        };
        var json = new Option<bool>("--json") { Description = "One JSON document instead of text" };
        var all = new Option<bool>("--all") { Description = "For a pid, also list the mapped files with no TLS stack" };
        var command = new Command("probes", "Explain TLS discovery: which stack a binary (or a running process) uses, where each probe would go and how it was found; attaches nothing");
        command.Arguments.Add(targets);
        command.Options.Add(json);
        command.Options.Add(all);
        command.SetAction(async (parse, cancellation) =>
        {
            _ = global;
            var files = new List<(string Access, string Display)>();
            foreach (var target in parse.GetValue(targets)!)
            {
                if (int.TryParse(target, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                {
                    var mapped = ProcMaps.ExecutableFiles(pid);
                    if (mapped.Count == 0)
                    {
                        await Console.Error.WriteLineAsync($"agentsight: probes: process {pid} does not exist or its maps cannot be read (other users' processes need root)");
                        return ExitCodes.Usage;
                    }
                    files.AddRange(mapped.Select(m => (m.AccessPath, m.Path)));
                }
                else if (File.Exists(target))
                {
                    var full = Path.GetFullPath(target);
                    files.Add((full, full));
                }
                else
                {
                    await Console.Error.WriteLineAsync($"agentsight: probes: {target}: no such file, and not a pid");
                    return ExitCodes.Usage;
                }
            }
            var discovery = BinaryDiscovery.Default();
            var results = new List<FileDiscovery>();
            var failures = new List<(string Path, string Reason)>();
            foreach (var (access, display) in files)
            {
                try
                {
                    results.Add(discovery.Analyse(access, display));
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
                {
                    failures.Add((display, ex.Message));
                }
            }
            var showAll = parse.GetValue(all) || files.Count == 1;
            if (parse.GetValue(json))
            {
                await Console.Out.WriteLineAsync(JsonSerializer.Serialize(new
                {
                    files = results.Where(r => showAll || r.HasTls || r.Problems.Count > 0).Select(ProbeReport.ToJson),
                    unreadable = failures.Select(f => new { path = f.Path, reason = f.Reason }),
                }, ProbeReport.JsonOptions));
            }
            else
            {
                foreach (var result in results.Where(r => showAll || r.HasTls || r.Problems.Count > 0))
                {
                    ProbeReport.Write(Console.Out, result);
                }
                foreach (var (path, reason) in failures)
                {
                    await Console.Out.WriteLineAsync($"{path}: cannot be read: {reason}");
                }
                if (!showAll && results.All(r => !r.HasTls && r.Problems.Count == 0))
                {
                    await Console.Out.WriteLineAsync($"No TLS stack found in the {results.Count} files mapped (--all lists them)");
                }
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
