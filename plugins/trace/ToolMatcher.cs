namespace AgentSight.Plugins.Trace;

/// <summary>
/// Which of several tool calls open at once (parallel tool calls) a process or a file belongs to. The rule, in order:
/// the first tool call (in the order the response listed them) one of whose argument strings appears in the process's
/// command line; else the first whose arguments contain the command line (without the program); else the first tool
/// call that was already open when the process started; else the first of all.
/// </summary>
internal static class ToolMatcher
{
    public static ToolCall Pick(IReadOnlyList<ToolCall> tools, ProcessNode process)
    {
        if (tools.Count == 1)
        {
            return tools[0];
        }
        var commandLine = process.CommandLine;
        foreach (var tool in tools)
        {
            if (tool.ArgumentStrings.Any(s => s.Length >= 2 && commandLine.Contains(s, StringComparison.Ordinal)))
            {
                return tool;
            }
        }
        if (process.Argv is { Count: > 1 } argv)
        {
            var rest = string.Join(' ', argv.Skip(1));
            foreach (var tool in tools)
            {
                if (rest.Length >= 2 && tool.ArgumentStrings.Any(s => s.Contains(rest, StringComparison.Ordinal)))
                {
                    return tool;
                }
            }
        }
        return tools.FirstOrDefault(t => t.OpenedNs <= process.StartNs) ?? tools[0];
    }

    /// <summary>
    /// The tool call a file the agent opened itself belongs to (tools the agent runs in its own process: Read, Write,
    /// Edit): the first whose arguments name the path (whole, or as its end: <c>report.md</c> for <c>/work/report.md</c>); null when none does.
    /// </summary>
    public static ToolCall? ForPath(IReadOnlyList<ToolCall> tools, string path)
    {
        foreach (var tool in tools)
        {
            foreach (var s in tool.ArgumentStrings)
            {
                if (s.Length < 3 || s.Contains('\n', StringComparison.Ordinal))
                {
                    continue;
                }
                var relative = s.StartsWith("./", StringComparison.Ordinal) ? s[2..] : s;
                if (path == s || path.EndsWith("/" + relative, StringComparison.Ordinal))
                {
                    return tool;
                }
            }
        }
        return null;
    }
}
