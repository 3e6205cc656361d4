using System.Globalization;
using System.Runtime.InteropServices;

namespace AgentSight.Host.Capture;

/// <summary>This process's threads from <c>/proc/self/task</c>, their nice values set with <c>setpriority(2)</c>.</summary>
/// <remarks>On Linux a nice value belongs to the thread, and a thread starts with its creator's.</remarks>
internal sealed partial class ProcThreadNice : IThreadNice
{
    public static readonly ProcThreadNice Instance = new();

    private const int PrioProcess = 0;

    public int ProcessNice()
    {
        // Field 19 of /proc/self/stat, after the command name in parentheses (which may hold spaces).
        var stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[16], CultureInfo.InvariantCulture);
    }

    /// <summary>Root may lower a thread's nice value again; others could not give the pipeline its priority back.</summary>
    public bool CanRaise => Posix.GetEuid() == 0;

    public IEnumerable<(int Tid, string Name)> Threads()
    {
        string[] tasks;
        try
        {
            tasks = Directory.GetDirectories("/proc/self/task");
        }
        catch (IOException)
        {
            yield break;
        }
        foreach (var task in tasks)
        {
            if (!int.TryParse(Path.GetFileName(task), NumberStyles.None, CultureInfo.InvariantCulture, out var tid))
            {
                continue;
            }
            string name;
            try
            {
                name = File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n');
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue; // Ended meanwhile.
            }
            yield return (tid, name);
        }
    }

    public bool TrySet(int tid, int nice) => SetPriority(PrioProcess, tid, nice) == 0;

    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriority(int which, int who, int prio);
}
