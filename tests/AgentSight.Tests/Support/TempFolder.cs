using System.Runtime.CompilerServices;

namespace AgentSight.Tests.Support;

/// <summary>A fresh folder per test, named after it, removed on dispose.</summary>
public sealed class TempFolder : IDisposable
{
    private TempFolder(string path)
    {
        Path = path;
        Directory.CreateDirectory(path);
    }

    public string Path { get; }

    public static TempFolder ForCaller([CallerMemberName] string caller = "", [CallerFilePath] string file = "")
    {
        var name = $"{System.IO.Path.GetFileNameWithoutExtension(file)}-{caller}-{Guid.NewGuid().ToString("N")[..8]}";
        return new TempFolder(System.IO.Path.Combine(System.IO.Path.GetTempPath(), "agentsight-tests", name));
    }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A process under test may still hold a file for a moment; the OS temp cleaner takes the rest.
        }
    }
}
