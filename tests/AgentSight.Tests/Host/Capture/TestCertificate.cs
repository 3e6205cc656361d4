using System.Diagnostics;

namespace AgentSight.Tests.Capture;

/// <summary>A self-signed certificate for 127.0.0.1, made once per test run with the openssl command.</summary>
internal static class TestCertificate
{
    private static readonly Lazy<(string Cert, string Key)> Files = new(Create);

    public static string CertPath => Files.Value.Cert;

    public static string KeyPath => Files.Value.Key;

    private static (string, string) Create()
    {
        var folder = Directory.CreateTempSubdirectory("agentsight-tests-cert-").FullName;
        var cert = Path.Combine(folder, "cert.pem");
        var key = Path.Combine(folder, "key.pem");
        var openssl = CaptureEnvironment.Tool("openssl");
        var start = new ProcessStartInfo(openssl)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        foreach (var arg in new[] { "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2",
                     "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost" })
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"openssl req failed: {error}");
        }
        return (cert, key);
    }
}
