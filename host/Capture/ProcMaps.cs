namespace AgentSight.Host.Capture;

/// <summary>Executable file mappings of a process, from <c>/proc/PID/maps</c>.</summary>
internal static class ProcMaps
{
    /// <summary>
    /// The distinct files mapped executable by <paramref name="pid"/>, with a path usable from this process (through
    /// <c>/proc/PID/root</c>, so files of a process in another mount namespace resolve too). Empty when the process
    /// is gone or cannot be read.
    /// </summary>
    public static List<MappedFile> ExecutableFiles(int pid)
    {
        string[] lines;
        if (!Directory.Exists($"/proc/{pid}"))
        {
            return []; // Gone: cheaper to ask than to catch the exception of reading it.
        }
        try
        {
            lines = File.ReadAllLines($"/proc/{pid}/maps");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
        return Parse(lines, pid);
    }

    internal static List<MappedFile> Parse(IEnumerable<string> lines, int pid)
    {
        var files = new List<MappedFile>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            // address perms offset dev inode path (the path may contain spaces)
            var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 6 || fields[1].Length < 3 || fields[1][2] != 'x' || fields[4] == "0")
            {
                continue;
            }
            var path = fields[5].Trim();
            if (!path.StartsWith('/') || path.EndsWith(" (deleted)", StringComparison.Ordinal) || !seen.Add(path))
            {
                continue;
            }
            files.Add(new MappedFile(path, $"/proc/{pid}/root{path}"));
        }
        return files;
    }
}

/// <summary>A mapped file: its path as the process sees it, and a path that reaches it from here.</summary>
internal sealed record MappedFile(string Path, string AccessPath);
