using System.Diagnostics;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Plugins;

/// <summary>
/// A folder as an attacker sees it: world-writable (with or without the sticky bit, like /tmp), holding links and
/// files that another user (nobody, uid 65534) planted there, and a victim file outside it that root must never
/// write. Needs root to plant files in another user's name: fails saying so otherwise (CI runs the tests as root).
/// </summary>
public sealed class PlantedFiles : IDisposable
{
    /// <summary>The other user: nobody.</summary>
    public const int OtherUser = 65534;

    private const string VictimText = "root's precious file\n";

    private readonly TempFolder _folder;

    private PlantedFiles(TempFolder folder, bool sticky)
    {
        _folder = folder;
        Shared = folder.Combine("shared");
        Directory.CreateDirectory(Shared);
        File.SetUnixFileMode(Shared, (UnixFileMode)(sticky ? 0x3FF : 0x1FF)); // 1777 or 0777
        Victim = folder.Combine("victim.txt");
        File.WriteAllText(Victim, VictimText);
    }

    /// <summary>The world-writable folder.</summary>
    public string Shared { get; }

    /// <summary>A file of root's that the planted links point to.</summary>
    public string Victim { get; }

    /// <summary>True while the victim holds exactly what it was created with.</summary>
    public bool VictimUntouched => File.ReadAllText(Victim) == VictimText;

    public static PlantedFiles Create(bool sticky = true, [System.Runtime.CompilerServices.CallerMemberName] string caller = "",
        [System.Runtime.CompilerServices.CallerFilePath] string file = "")
    {
        Assert.True(Environment.IsPrivilegedProcess, "this test plants files in another user's name, which needs root (CI runs the tests as root)");
        return new PlantedFiles(TempFolder.ForCaller(caller, file), sticky);
    }

    public string In(string name) => Path.Combine(Shared, name);

    /// <summary>A symbolic link <paramref name="name"/> in the shared folder to the victim, owned by the other user.</summary>
    public string Link(string name, int owner = OtherUser)
    {
        var link = In(name);
        File.CreateSymbolicLink(link, Victim);
        Chown(link, owner);
        return link;
    }

    /// <summary>A regular file of the other user's, readable by everyone: whatever goes in, they read.</summary>
    public string ForeignFile(string name)
    {
        var path = In(name);
        File.WriteAllText(path, "");
        File.SetUnixFileMode(path, (UnixFileMode)0x1B6); // 0666
        Chown(path, OtherUser);
        return path;
    }

    /// <summary>Another name for the victim (a hard link), which stays root's.</summary>
    public string HardLink(string name)
    {
        var path = In(name);
        Run("ln", Victim, path);
        return path;
    }

    public void Dispose() => _folder.Dispose();

    private static void Chown(string path, int owner) => Run("chown", "-h", $"{owner}:{owner}", path);

    private static void Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', arguments)} failed: {error}");
    }
}
