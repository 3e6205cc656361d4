using System.Globalization;

namespace AgentSight.Top.Sources;

/// <summary>
/// How <c>top</c> finds a recording running on this machine without being told its address: each recording that serves
/// the web UI (<c>record</c>, <c>trace</c>, <c>demo</c>, and <c>top</c>'s own capture) writes its address with its
/// token to <c>/run/agentsight/live/PID.url</c> (PID: the recorder's), readable only by the user who started it (and
/// root), and removes it when it ends.
/// </summary>
/// <remarks>
/// The folder belongs to root and only root writes in it, so nobody can plant a file there or replace one; the token
/// stays as private as the session files the same user owns. <c>AGENTSIGHT_LIVE_DIR</c> moves the folder (tests).
/// </remarks>
public static class LiveRecordings
{
    public const string DirectoryVariable = "AGENTSIGHT_LIVE_DIR";

    public const string Extension = ".url";

    public static string Directory => Environment.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 } dir ? dir : "/run/agentsight/live";

    /// <summary>The file a recorder with process id <paramref name="pid"/> announces itself in.</summary>
    public static string FileOf(int pid) => Path.Combine(Directory, pid.ToString(CultureInfo.InvariantCulture) + Extension);

    /// <summary>One announced recording.</summary>
    /// <param name="Pid">The recorder's process id.</param>
    /// <param name="Endpoint">Its web API.</param>
    /// <param name="Since">When it announced itself.</param>
    public sealed record Found(int Pid, WebApiEndpoint Endpoint, DateTime Since);

    /// <summary>
    /// The recordings whose recorder still runs, newest first, and the pids of those whose file this user may not read
    /// (another user's recording).
    /// </summary>
    public static (IReadOnlyList<Found> Readable, IReadOnlyList<int> NotReadable) Find(string? directory = null)
    {
        var readable = new List<Found>();
        var notReadable = new List<int>();
        string[] files;
        try
        {
            files = System.IO.Directory.GetFiles(directory ?? Directory, "*" + Extension);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return (readable, notReadable);
        }
        foreach (var file in files)
        {
            if (!int.TryParse(Path.GetFileNameWithoutExtension(file), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                || !System.IO.Directory.Exists($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}"))
            {
                continue;
            }
            try
            {
                var line = File.ReadLines(file).FirstOrDefault();
                if (line is not null && WebApiEndpoint.Parse(line, null, out _) is { } endpoint)
                {
                    readable.Add(new Found(pid, endpoint, File.GetLastWriteTimeUtc(file)));
                }
            }
            catch (UnauthorizedAccessException)
            {
                notReadable.Add(pid);
            }
            catch (IOException)
            {
                // Removed while read: that recording has just ended.
            }
        }
        return ([.. readable.OrderByDescending(f => f.Since).ThenByDescending(f => f.Pid)], notReadable);
    }
}
