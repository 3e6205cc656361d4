namespace AgentSight.Plugins.Web.Session;

/// <summary>One path the session touched, over all its opens.</summary>
internal sealed class FileStats(string path)
{
    public string Path { get; } = path;

    public int Opens { get; set; }

    public int Writes { get; set; }

    /// <summary>Opens that failed with an error (<see cref="Model.ErrorRule"/>).</summary>
    public int Failures { get; set; }

    /// <summary>Look-ups that found nothing: opens for reading that failed with ENOENT or ENOTDIR.</summary>
    public int Misses { get; set; }

    public long FirstNs { get; set; } = long.MaxValue;

    public long LastNs { get; set; }

    /// <summary>The processes that opened it (pid and comm), in order of first open.</summary>
    public List<(int Pid, string Comm)> Openers { get; } = [];

    /// <summary>The processes that opened it for writing, in order of first write.</summary>
    public List<(int Pid, string Comm)> Writers { get; } = [];
}
