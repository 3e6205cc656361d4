using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Host.Capture;
using AgentSight.Host.Manifest;
using AgentSight.Host.Plugins;
using AgentSight.Top.Sources;

namespace AgentSight.Host.Cli;

/// <summary>
/// Lets <c>agentsight top</c> find a running recording: the file the web stage writes its address and token into
/// (<c>/run/agentsight/live/PID.url</c>, <see cref="LiveRecordings"/>), made here before the run so that it belongs to
/// the user who ran sudo (who may read it, as they may read the session files) and to nobody else.
/// </summary>
/// <remarks>
/// Only as root, and only in a folder that root owns and nobody else can write: otherwise another user could plant a
/// link there or read the token, and the recording goes on without announcing itself (top then needs <c>--url</c>).
/// </remarks>
internal sealed class LiveAnnouncement : IDisposable
{
    private LiveAnnouncement(string path) => FilePath = path;

    /// <summary>The file, or null when nothing is announced.</summary>
    public string? FilePath { get; private set; }

    /// <summary>Makes the file and points the web stage at it; null (and a reason in <paramref name="problem"/> when one is worth saying) when it cannot.</summary>
    public static LiveAnnouncement? Prepare(PipelineOverrides overrides, out string? problem)
    {
        problem = null;
        if (UnixFileStatus.EffectiveUserId != 0)
        {
            return null;
        }
        var folder = LiveRecordings.Directory;
        try
        {
            foreach (var dir in new[] { Path.GetDirectoryName(folder)!, folder })
            {
                if (!Directory.Exists(dir))
                {
                    Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
                }
            }
            if (new DirectoryInfo(folder).LinkTarget is not null || UnixFileStatus.Of(folder) is not { IsDirectory: true, Uid: 0 } status
                || status.GroupWritable || status.OtherWritable)
            {
                problem = $"{folder} is not a folder that only root can write; the recording is not announced (agentsight top needs --url)";
                return null;
            }
            var file = LiveRecordings.FileOf(Environment.ProcessId);
            // A file of an earlier recorder that had this pid and was killed.
            File.Delete(file);
            using (new FileStream(file, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            }))
            {
            }
            if (UserIdentity.OfThisProcessInvoker() is { } user)
            {
                _ = Posix.Chown(file, user.Uid, user.Gid);
            }
            overrides.SetIfPresent.Add((WebUiOptions.WebUi, RoleKeys.AnnounceFile, JsonValue.Create(file)));
            return new LiveAnnouncement(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problem = $"cannot announce the recording in {folder} ({ex.Message}); agentsight top needs --url to find it";
            return null;
        }
    }

    /// <summary>Removes the file (the web stage removes it at its stop; this covers a run that never got there).</summary>
    public void Dispose()
    {
        if (FilePath is { } path)
        {
            try
            {
                File.Delete(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Left behind: top skips a file whose recorder is gone.
            }
            FilePath = null;
        }
    }
}
