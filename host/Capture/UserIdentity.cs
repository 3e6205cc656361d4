namespace AgentSight.Host.Capture;

/// <summary>A user to run a recorded command as: the one who ran <c>sudo</c>.</summary>
internal sealed record UserIdentity(uint Uid, uint Gid, string? Name, string? Home, string? Shell)
{
    public bool HasPasswdEntry => Name is not null;

    /// <summary>
    /// The user behind <c>sudo</c> (SUDO_UID/SUDO_GID), or null when not run through sudo, run by root itself, or
    /// when the host is not root (then there is nobody to switch from).
    /// </summary>
    /// <summary>The user who ran <c>sudo</c> to start this process, from its environment; null when not under sudo.</summary>
    public static UserIdentity? OfThisProcessInvoker() =>
        FromSudo(Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? string.Empty, StringComparer.Ordinal), Posix.GetEuid() == 0);

    public static UserIdentity? FromSudo(IReadOnlyDictionary<string, string> environment, bool isRoot)
    {
        if (!isRoot || !environment.TryGetValue("SUDO_UID", out var uidText) || !uint.TryParse(uidText, out var uid) || uid == 0)
        {
            return null;
        }
        var gid = environment.TryGetValue("SUDO_GID", out var gidText) && uint.TryParse(gidText, out var parsedGid) ? parsedGid : uid;
        var entry = Passwd(uid);
        return new UserIdentity(uid, gid, entry?.Name, entry?.Home, entry?.Shell);
    }

    /// <summary>The environment the command gets: ours, with the user's HOME, USER and LOGNAME (sudo set root's).</summary>
    public IDictionary<string, string> Apply(IDictionary<string, string> environment)
    {
        var result = new Dictionary<string, string>(environment, StringComparer.Ordinal);
        if (Home is not null)
        {
            result["HOME"] = Home;
        }
        if (Name is not null)
        {
            result["USER"] = Name;
            result["LOGNAME"] = Name;
        }
        return result;
    }

    private static (string Name, string Home, string Shell)? Passwd(uint uid)
    {
        try
        {
            foreach (var line in File.ReadLines("/etc/passwd"))
            {
                var fields = line.Split(':');
                if (fields.Length >= 7 && uint.TryParse(fields[2], out var entryUid) && entryUid == uid)
                {
                    return (fields[0], fields[5], fields[6]);
                }
            }
        }
        catch (IOException)
        {
            // No passwd file: the command keeps the environment it has.
        }
        return null;
    }
}
