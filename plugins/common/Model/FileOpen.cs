using AgentSight.Contracts;

namespace AgentSight.Plugins.Common.Model;

/// <summary>One <c>FILE_OPEN</c> event, read.</summary>
public sealed record FileOpen(
    long Timestamp,
    int Pid,
    string Comm,
    string Path,
    long? Flags,
    long? Mode,
    long? Fd,
    string? Error,
    long? Errno)
{
    // Linux open(2) flags (x86-64 and arm64 agree on these).
    private const long AccessModeMask = 0x3;
    private const long OCreat = 0x40;
    private const long OTrunc = 0x200;
    private const long OAppend = 0x400;

    /// <summary>True when the open asked for write access or creates, truncates or appends; null when the flags are unknown.</summary>
    public bool? Writes => Flags is { } flags
        ? (flags & AccessModeMask) != 0 || (flags & (OCreat | OTrunc | OAppend)) != 0
        : null;

    /// <summary>True when the open failed, whether a look-up that missed or an error (<see cref="Outcome"/> tells which).</summary>
    public bool Failed => Outcome != FileOpenOutcome.Opened;

    /// <summary>Opened, a look-up that missed, or an error, by <see cref="ErrorRule"/>.</summary>
    public FileOpenOutcome Outcome => ErrorRule.Of(this);

    /// <summary>The open mode in words: read, write, read-write, with create/truncate/append.</summary>
    public string Access
    {
        get
        {
            if (Flags is not { } flags)
            {
                return "open";
            }
            var access = (flags & AccessModeMask) switch
            {
                0 => "read",
                1 => "write",
                _ => "read-write",
            };
            if ((flags & OCreat) != 0)
            {
                access += "+create";
            }
            if ((flags & OTrunc) != 0)
            {
                access += "+truncate";
            }
            if ((flags & OAppend) != 0)
            {
                access += "+append";
            }
            return access;
        }
    }

    /// <summary>Reads a <c>FILE_OPEN</c> event; null when it has no path.</summary>
    public static FileOpen? Read(ReadOnlyEvent evt)
    {
        var fields = evt.Fields;
        var path = JsonRead.Str(fields, "filepath") ?? JsonRead.Str(fields, "filename") ?? JsonRead.Str(fields, "path");
        if (path is null)
        {
            return null;
        }
        return new FileOpen(evt.Timestamp, evt.Pid, evt.Comm, path, JsonRead.Long(fields, "flags"), JsonRead.Long(fields, "mode"),
            JsonRead.Long(fields, "fd"), JsonRead.Str(fields, "error"), JsonRead.Long(fields, "errno"));
    }
}
