using System.Diagnostics;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Plugins;

/// <summary>
/// A real filesystem of a few hundred kilobytes (tmpfs), mounted for one test and unmounted after it, so a sink can
/// be shown a real full disk (ENOSPC from the kernel, after a partial write) and space coming back. Needs root, as
/// CI runs the tests: without it the test fails saying so, never skips.
/// </summary>
public sealed class SmallFilesystem : IDisposable
{
    private readonly TempFolder _folder;
    private int _fillers;

    private SmallFilesystem(TempFolder folder)
    {
        _folder = folder;
    }

    /// <summary>The mounted folder.</summary>
    public string Path => _folder.Path;

    /// <summary>Mounts a tmpfs of <paramref name="kilobytes"/> on a fresh folder.</summary>
    public static SmallFilesystem Mount(int kilobytes, [System.Runtime.CompilerServices.CallerMemberName] string caller = "",
        [System.Runtime.CompilerServices.CallerFilePath] string file = "")
    {
        Assert.True(Environment.IsPrivilegedProcess, "this test mounts a small tmpfs to fill it, which needs root (CI runs the tests as root)");
        var folder = TempFolder.ForCaller(caller, file);
        Run("mount", "-t", "tmpfs", "-o", $"size={kilobytes}k,mode=0755", "tmpfs", folder.Path);
        return new SmallFilesystem(folder);
    }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <summary>Fills every free byte with a filler file (removed by <see cref="Free"/>); returns the bytes it took.</summary>
    public long Fill()
    {
        var filler = Combine($".filler{_fillers++}");
        long written = 0;
        using var stream = new FileStream(filler, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1);
        var block = new byte[512];
        // Big blocks first, then small ones: the last bytes of the last page go too.
        foreach (var size in new[] { 512, 1 })
        {
            while (true)
            {
                try
                {
                    stream.Write(block, 0, size);
                    written += size;
                }
                catch (IOException)
                {
                    break;
                }
            }
        }
        return written;
    }

    /// <summary>Removes every filler file: the space they took is free again.</summary>
    public void Free()
    {
        for (var i = 0; i < _fillers; i++)
        {
            File.Delete(Combine($".filler{i}"));
        }
        _fillers = 0;
    }

    public void Dispose()
    {
        // Lazy: a file a failed test left open must not keep the mount (and the test run) hanging.
        Run("umount", "-l", Path);
        _folder.Dispose();
    }

    private static void Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
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
