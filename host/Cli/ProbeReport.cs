using System.Globalization;
using System.Text.Json;
using AgentSight.Host.Capture.Discovery;

namespace AgentSight.Host.Cli;

/// <summary>How the <c>probes</c> command prints a <see cref="FileDiscovery"/>, as text or JSON.</summary>
internal static class ProbeReport
{
    public static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    public static void Write(TextWriter output, FileDiscovery result)
    {
        var about = new List<string>();
        if (result.Program is { } program)
        {
            about.Add(program);
        }
        if (result.BuildId is { } id)
        {
            about.Add($"build-id {id}");
        }
        about.Add(result.FromCache ? "from the discovery cache" : $"analysed in {result.Elapsed.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s");
        output.WriteLine($"{result.Path}  ({string.Join(", ", about)})");
        if (!result.HasTls && result.Problems.Count == 0)
        {
            output.WriteLine("  no TLS library found");
        }
        foreach (var stack in result.Stacks)
        {
            output.WriteLine($"  {stack.Title}: found by {stack.Method}");
            var width = stack.Sites.Max(s => s.Function.Length);
            foreach (var site in stack.Sites)
            {
                var returns = site.Returns is { Count: > 0 } r ? $", {r.Count} RET probes" : string.Empty;
                var at = site.ProbeAt is { } probeAt ? $" at +{probeAt - site.Address} (an instruction the kernel emulates)" : string.Empty;
                output.WriteLine($"    {site.Function.PadRight(width)}  0x{site.Address:x}  {Describe(site.Kind)}{at}{returns}");
            }
            foreach (var note in stack.Notes)
            {
                output.WriteLine($"    note: {note}");
            }
        }
        foreach (var problem in result.Problems)
        {
            output.WriteLine($"  not probed: {problem}");
        }
    }

    public static object ToJson(FileDiscovery result) => new
    {
        path = result.Path,
        build_id = result.BuildId,
        program = result.Program,
        analysed_ms = Math.Round(result.Elapsed.TotalMilliseconds),
        from_cache = result.FromCache,
        stacks = result.Stacks.Select(s => new
        {
            name = s.Name,
            version = s.Version,
            method = s.Method,
            sites = s.Sites.Select(p => new
            {
                function = p.Function,
                kind = p.Kind.ToString(),
                address = $"0x{p.Address:x}",
                probe_at = p.ProbeAt is { } at ? $"0x{at:x}" : null,
                returns = p.Returns?.Select(a => $"0x{a:x}"),
            }),
            notes = s.Notes,
        }),
        problems = result.Problems,
    };

    private static string Describe(ProbeKind kind) => kind switch
    {
        ProbeKind.AeadSeal or ProbeKind.AeadSealScatter or ProbeKind.GoWrite => "entry probe",
        ProbeKind.GoRead or ProbeKind.GoWriteAtStackCheck or ProbeKind.GoReadAtStackCheck => "entry probe",
        _ => "entry and return probes",
    };
}
