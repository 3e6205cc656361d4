using System.Globalization;
using System.Text;

namespace AgentSight.Plugins.Web.Session;

/// <summary>The session's report as terminal text: what <c>agentsight report</c> prints.</summary>
internal static class ReportText
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Format(Report report)
    {
        var o = report.Overview;
        var text = new StringBuilder();
        text.Append("Session  ");
        if (o.StartNs is { } start && o.EndNs is { } end)
        {
            text.Append(Time(start)).Append(" → ").Append(Time(end)).Append(" UTC (").Append(Duration(o.DurationMs)).Append("), ");
        }
        text.Append(Number(o.Events)).Append(" events\n");
        text.Append("         ").Append(Number(o.Llm.Calls)).Append(" LLM calls, ")
            .Append(Number(o.Llm.InputTokens)).Append(" tokens in, ").Append(Number(o.Llm.OutputTokens)).Append(" out; ")
            .Append(Number(o.Processes.Count)).Append(" processes; ").Append(Number(o.Files.Paths)).Append(" files (")
            .Append(Number(o.Files.Written)).Append(" written); ").Append(Number(o.Drops.Total)).Append(" lost or dropped")
            .Append(o.Drops.Incomplete ? "; incomplete: events are missing (see Drops)\n" : "\n");
        var errors = o.Errors.Sum(e => e.Count);
        text.Append("         ").Append(errors == 0 ? "no errors" : errors == 1 ? "1 error (see Errors)" : $"{Number(errors)} errors (see Errors)");
        if (o.Files.Missed > 0)
        {
            // The same rule as the web UI's (ErrorRule): a read that finds no file is a look-up, not a failure.
            text.Append("; ").Append(Number(o.Files.Missed)).Append(o.Files.Missed == 1 ? " file look-up" : " file look-ups")
                .Append(" found nothing (opens for reading that met ENOENT/ENOTDIR: not errors)");
        }
        text.Append('\n');
        if (o.Resources is { PeakRss: { } rssPeak } resources)
        {
            text.Append("         peak memory ").Append(Bytes(rssPeak.Value)).Append(" (").Append(rssPeak.Comm).Append(' ').Append(rssPeak.Pid.ToString(Invariant)).Append(')');
            if (resources.PeakCpu is { } cpuPeak)
            {
                text.Append(", peak CPU ").Append(cpuPeak.Value.ToString("0", Invariant)).Append(" % (").Append(cpuPeak.Comm).Append(' ')
                    .Append(cpuPeak.Pid.ToString(Invariant)).Append(')');
            }
            text.Append("; ").Append(Number(resources.Samples)).Append(" resource samples of ").Append(resources.Processes == 1 ? "1 process" : $"{Number(resources.Processes)} processes").Append('\n');
        }
        if (o.Network.Warnings.Count > 0)
        {
            var unseen = o.Network.Warnings.Sum(w => w.Connections);
            text.Append("         ").Append(unseen == 1 ? "1 TLS connection was" : $"{Number(unseen)} TLS connections were")
                .Append(" not seen by any probe: see Network\n");
        }

        Section(text, "LLM calls per model");
        if (o.Llm.Models.Count == 0)
        {
            text.Append("  none\n");
        }
        else
        {
            Table(text, ["MODEL", "PROVIDER", "CALLS", "ERRORS", "TOKENS IN", "TOKENS OUT", "CACHE READ", "AVG TIME", "AVG TTFT", "COST"],
                o.Llm.Models.Select(m => new[]
                {
                    m.Model, m.Provider ?? "", Number(m.Calls), Number(m.Errors), Number(m.InputTokens), Number(m.OutputTokens),
                    Number(m.CacheReadTokens), Duration(m.AvgDurationMs), Duration(m.AvgTtftMs), Cost(m.CostUsd, m.UnpricedCalls, m.Calls),
                }),
                rightAligned: 2);
            text.Append("  total ").Append(Cost(o.Llm.CostUsd, o.Llm.UnpricedCalls, o.Llm.Calls))
                .Append(o.Llm.PriceTable is { } table ? $" (prices of {table}; the cost stage, docs/ANALYZERS.md)" : "")
                .Append('\n');
        }

        Section(text, "Cost per run");
        if (o.Runs.Count == 0)
        {
            text.Append("  none (no span events: the trace stage did not run when this session was recorded)\n");
        }
        else
        {
            Table(text, ["RUN", "PID", "DURATION", "CONVERSATIONS", "CALLS", "TOKENS IN", "TOKENS OUT", "COST", "COMMAND"],
                o.Runs.Select(r => new[]
                {
                    r.Name, r.Pid?.ToString(Invariant) ?? "", Duration((r.EndNs - r.StartNs) / 1e6), Number(r.Conversations), Number(r.Calls),
                    Number(r.InputTokens), Number(r.OutputTokens), Cost(r.CostUsd, r.UnpricedCalls, r.Calls), Cut(r.CommandLine ?? "", 60),
                }),
                rightAligned: 0);
        }

        if (o.Containers.Count > 0)
        {
            // Only when a process ran in one: a session on a plain host has no such section.
            Section(text, "Containers");
            Table(text, ["CONTAINER", "RUNTIME", "POD", "PROCESSES", "LLM", "FIRST COMMAND"],
                o.Containers.Select(c => new[]
                {
                    c.Id, c.Runtime ?? "", c.PodUid ?? "", Number(c.Processes), Number(c.LlmCalls), Cut(c.FirstCommand, 60),
                }),
                rightAligned: 0);
        }

        Section(text, "Errors");
        if (o.Errors.Count == 0)
        {
            text.Append("  none\n");
        }
        else
        {
            Table(text, ["KIND", "COUNT", "EXAMPLES"], o.Errors.Select(e => new[] { ErrorKind(e.Kind), Number(e.Count), Cut(string.Join(" · ", e.Examples), 100) }),
                rightAligned: 0);
        }

        Section(text, "Slowest calls");
        if (report.SlowestCalls.Count == 0)
        {
            text.Append("  none\n");
        }
        else
        {
            Table(text, ["#", "DURATION", "TTFT", "MODEL", "PROCESS", "TOKENS IN/OUT", "STATUS", "PATH"],
                report.SlowestCalls.Select(c => new[]
                {
                    c.Id.ToString(Invariant), Duration(c.DurationMs), Duration(c.TtftMs), c.Model, $"{c.Comm} ({c.Pid})",
                    $"{Number(c.InputTokens)}/{Number(c.OutputTokens)}",
                    c.ErrorType ?? c.StatusCode?.ToString(Invariant) ?? "", $"{c.ServerAddress}{c.UrlPath}",
                }),
                rightAligned: 0);
        }

        Section(text, "Processes");
        if (report.Processes.Count == 0)
        {
            text.Append("  none\n");
        }
        else
        {
            Table(text, ["PID", "PPID", "COMM", "EXIT", "DURATION", "FILES", "LLM", "COMMAND"],
                report.Processes.Select(p => new[]
                {
                    p.Pid.ToString(Invariant), p.Ppid?.ToString(Invariant) ?? "", p.Comm,
                    p.Signal is { } signal ? $"signal {signal}" : p.ExitCode?.ToString(Invariant) ?? (p.EndNs is null ? "running" : "?"),
                    Duration(p.DurationMs), Number(p.Files), Number(p.LlmCalls), Cut(p.CommandLine, 80),
                }),
                rightAligned: 0);
        }

        Section(text, "Files written");
        if (o.FilesWritten.Count == 0)
        {
            text.Append("  none\n");
        }
        else
        {
            Table(text, ["PATH", "WRITES", "BY"], o.FilesWritten.Select(f => new[] { f.Path, Number(f.Writes), string.Join(", ", f.By) }), rightAligned: 0);
        }

        Network(text, o.Network);

        Section(text, "Drops");
        if (o.Drops.IncompleteText is { } incomplete)
        {
            // Said first, and never followed by "none": no counter shows the events a killed recorder did not store.
            text.Append("  ! ").Append(incomplete).Append('\n');
        }
        if (o.Drops.Items.Count > 0)
        {
            Table(text, ["WHERE", "KIND", "COUNTER", "COUNT"], o.Drops.Items.Select(d => new[] { d.Stage, d.Kind, d.Counter, Number(d.Count) }), rightAligned: 0);
        }
        else if (o.Drops.Incomplete)
        {
            text.Append("  no loss was counted before it stopped\n");
        }
        else
        {
            text.Append("  none: no event was lost or dropped").Append(o.Drops.FromRecording ? "" : " (a recording in NDJSON carries no counters of the run that made it; a .db session does)").Append('\n');
        }
        return text.ToString();
    }

    /// <summary>The hosts each process talked to (one row per process and host), then every unseen-TLS warning.</summary>
    private static void Network(StringBuilder text, NetworkTotals network)
    {
        Section(text, "Network");
        if (network.Processes.Count == 0)
        {
            text.Append("  none\n");
        }
        else
        {
            var rows = new List<string[]>();
            foreach (var p in network.Processes)
            {
                var first = true;
                foreach (var h in p.Hosts)
                {
                    var notes = new List<string>();
                    if (h.Addresses.Count > 0)
                    {
                        notes.Add("at " + string.Join(", ", h.Addresses));
                    }
                    if (h.Alpn.Count > 0)
                    {
                        notes.Add("alpn " + string.Join(", ", h.Alpn));
                    }
                    if (h.Errors.Count > 0)
                    {
                        notes.Add("failed: " + string.Join(", ", h.Errors));
                    }
                    if (h.MissedConnects > 0)
                    {
                        notes.Add($"not there (ENOENT, not an error): {Number(h.MissedConnects)}");
                    }
                    rows.Add(first
                        ? [p.Pid.ToString(Invariant), p.Comm, Cut(p.Executable ?? "", 50), h.Host, Number(h.Connections), Number(h.FailedConnects), Number(h.Tls), Number(h.Unseen), string.Join("; ", notes)]
                        : ["", "", "", h.Host, Number(h.Connections), Number(h.FailedConnects), Number(h.Tls), Number(h.Unseen), string.Join("; ", notes)]);
                    first = false;
                }
            }
            Table(text, ["PID", "COMM", "EXECUTABLE", "HOST", "CONNECTIONS", "FAILED", "TLS", "UNSEEN", "NOTES"], rows, rightAligned: 0);
        }
        if (network.Warnings.Count > 0)
        {
            text.Append("\n  TLS whose plaintext no probe saw:\n");
            foreach (var warning in network.Warnings)
            {
                text.Append("  ! ").Append(warning.Text).Append('\n');
            }
        }
    }

    /// <summary>An error row's kind in words, as the Overview says it.</summary>
    private static string ErrorKind(string kind) => kind switch
    {
        "llm_call" => "LLM calls failed",
        "mcp_call" => "MCP calls failed",
        "http" => "HTTP 4xx/5xx",
        "process_exit" => "processes failed",
        "file_open" => "file opens failed",
        _ => kind,
    };

    private static void Section(StringBuilder text, string title) => text.Append('\n').Append(title).Append('\n');

    /// <summary>Columns padded to their widest cell; numbers right-aligned from column <paramref name="rightAligned"/> on (0: none).</summary>
    private static void Table(StringBuilder text, string[] header, IEnumerable<string[]> rows, int rightAligned)
    {
        var all = new List<string[]> { header };
        all.AddRange(rows);
        var widths = new int[header.Length];
        foreach (var row in all)
        {
            for (var i = 0; i < row.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }
        foreach (var row in all)
        {
            text.Append("  ");
            for (var i = 0; i < row.Length; i++)
            {
                var last = i == row.Length - 1;
                var cell = rightAligned > 0 && i >= rightAligned && row != header ? row[i].PadLeft(widths[i]) : last ? row[i] : row[i].PadRight(widths[i]);
                text.Append(cell);
                if (!last)
                {
                    text.Append("  ");
                }
            }
            text.Append('\n');
        }
    }

    private static string Time(long ns) =>
        DateTimeOffset.FromUnixTimeMilliseconds(ns / 1_000_000).ToString("yyyy-MM-dd HH:mm:ss.fff", Invariant);

    internal static string Duration(double? ms) => ms switch
    {
        null => "",
        >= 60_000 => $"{(int)(ms.Value / 60_000)}m{(ms.Value % 60_000 / 1000).ToString("00.0", Invariant)}s",
        >= 1000 => (ms.Value / 1000).ToString("0.00", Invariant) + " s",
        _ => ms.Value.ToString("0.#", Invariant) + " ms",
    };

    /// <summary>812 B, 45.3 MiB, 1.20 GiB, as the UI writes memory.</summary>
    internal static string Bytes(double? n) => n switch
    {
        null => "?",
        < 1024 => n.Value.ToString("0", Invariant) + " B",
        < 1024 * 1024 => (n.Value / 1024).ToString("0.0", Invariant) + " KiB",
        < 1024 * 1024 * 1024 => (n.Value / (1024 * 1024)).ToString("0.0", Invariant) + " MiB",
        _ => (n.Value / (1024 * 1024 * 1024)).ToString("0.00", Invariant) + " GiB",
    };

    /// <summary>
    /// $0.0123; "unknown" when no call was priced; with "+ N unpriced" when some were not (an unknown model is never
    /// counted as free).
    /// </summary>
    internal static string Cost(double? usd, long unpriced, long calls) =>
        usd is not { } value ? (calls == 0 ? "" : "unknown")
        : "$" + value.ToString(value >= 1 ? "0.00" : "0.0000", Invariant) + (unpriced > 0 ? $" + {Number(unpriced)} unpriced" : "");

    private static string Number(long? n) => n?.ToString("N0", Invariant) ?? "?";

    private static string Number(long n) => n.ToString("N0", Invariant);

    private static string Cut(string text, int max) => text.Length <= max ? text : string.Concat(text.AsSpan(0, max - 1), "…");
}
