using AgentSight.Contracts;

namespace AgentSight.Plugins.Trace;

/// <summary>Configuration of the <c>trace</c> analyzer. Every default is valid as is; every bound is counted when reached.</summary>
public sealed class TraceAnalyzerConfig : PluginConfig
{
    /// <summary>Runs followed at once (<c>max_runs</c>); default 64. Beyond it the least recently active run is ended early (<c>runs_evicted</c>).</summary>
    public int MaxRuns { get; set; } = 64;

    /// <summary>Open conversations per run (<c>max_conversations</c>); default 256. Beyond it the oldest is ended early (<c>conversations_evicted</c>).</summary>
    public int MaxConversations { get; set; } = 256;

    /// <summary>Tool calls waiting for their result, per run (<c>max_open_tools</c>); default 1024. Beyond it the oldest ends without one (<c>tools_evicted</c>).</summary>
    public int MaxOpenTools { get; set; } = 1024;

    /// <summary>Process instances remembered (<c>max_processes</c>); default 4096. Beyond it the longest-ended go (<c>processes_evicted</c> counts those never written).</summary>
    public int MaxProcesses { get; set; } = 4096;

    /// <summary>File opens remembered per process (<c>max_files_per_process</c>); default 128. Further opens are counted (<c>files_dropped</c>).</summary>
    public int MaxFilesPerProcess { get; set; } = 128;

    /// <summary>The agents' own recent file opens, matched against tool arguments (<c>max_agent_opens</c>); default 2048 per agent process.</summary>
    public int MaxAgentOpens { get; set; } = 2048;

    /// <summary>Put each tool call's arguments on its span, <c>gen_ai.tool.call.arguments</c> (<c>include_arguments</c>); default true.</summary>
    public bool IncludeArguments { get; set; } = true;

    /// <summary>Put each tool call's result on its span, <c>gen_ai.tool.call.result</c> (<c>include_results</c>); default true.</summary>
    public bool IncludeResults { get; set; } = true;

    /// <summary>Longest text attribute (arguments, results, command lines), in characters (<c>max_attribute_chars</c>); default 2000. Longer ones are cut and end in "…".</summary>
    public int MaxAttributeChars { get; set; } = 2000;

    /// <summary>
    /// Reads of files under these prefixes are not shown under a tool (<c>ignore_read_prefixes</c>): the loader's and
    /// the runtime's reads of every program. Writes are always shown.
    /// </summary>
    public List<string> IgnoreReadPrefixes { get; set; } =
        ["/proc/", "/sys/", "/dev/", "/lib/", "/lib64/", "/usr/lib/", "/usr/lib64/", "/usr/libexec/", "/usr/share/locale/", "/etc/ld.so.cache", "/usr/lib/locale/"];

    /// <inheritdoc />
    public override IEnumerable<ConfigError> Validate()
    {
        foreach (var (key, value) in new (string, int)[]
        {
            ("max_runs", MaxRuns), ("max_conversations", MaxConversations), ("max_open_tools", MaxOpenTools), ("max_processes", MaxProcesses),
            ("max_files_per_process", MaxFilesPerProcess), ("max_agent_opens", MaxAgentOpens),
        })
        {
            if (value < 1)
            {
                yield return new ConfigError(key, $"must be at least 1 (got {value})");
            }
        }
        if (MaxAttributeChars < 16)
        {
            yield return new ConfigError("max_attribute_chars", $"must be at least 16 (got {MaxAttributeChars})");
        }
        for (var i = 0; i < IgnoreReadPrefixes.Count; i++)
        {
            if (string.IsNullOrEmpty(IgnoreReadPrefixes[i]))
            {
                yield return new ConfigError($"ignore_read_prefixes[{i}]", "must not be empty (an empty prefix would hide every read)");
            }
        }
    }
}
