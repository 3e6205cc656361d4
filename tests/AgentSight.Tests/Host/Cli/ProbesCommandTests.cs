using System.Diagnostics;
using System.Text.Json.Nodes;
using AgentSight.Host.Capture;
using AgentSight.Tests.Capture;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Integration;

/// <summary><c>agentsight probes BINARY|PID</c> explains TLS discovery without attaching anything.</summary>
public sealed class ProbesCommandTests
{
    [Fact]
    public async Task A_Go_binary_shows_its_stack_how_it_was_found_and_each_probe()
    {
        var client = await GoProgram.BuildAsync(GoProgram.HttpsClient);

        var (code, stdout, stderr) = await HostProcess.RunAsync(["probes", client]);

        Assert.True(code == 0, stderr);
        Assert.Contains($"{client}  (Go 1.", stdout, StringComparison.Ordinal);
        Assert.Contains("Go crypto/tls 1.", stdout, StringComparison.Ordinal);
        Assert.Contains("found by Go's function table (pclntab)", stdout, StringComparison.Ordinal);
        Assert.Matches(@"crypto/tls\.\(\*Conn\)\.Read +0x[0-9a-f]+ +entry probe at \+\d+ \(an instruction the kernel emulates\), \d+ RET probes", stdout);
    }

    [Fact]
    public async Task Json_output_lists_the_sites_of_a_running_processs_libssl()
    {
        using var python = Process.Start(new ProcessStartInfo(CaptureEnvironment.Python, (string[])["-c", "import ssl, sys; print('ready', flush=True); sys.stdin.read()"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
        })!;
        try
        {
            Assert.Equal("ready", await python.StandardOutput.ReadLineAsync());

            var (code, stdout, stderr) = await HostProcess.RunAsync(["probes", python.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json"]);

            Assert.True(code == 0, stderr);
            var files = JsonNode.Parse(stdout)!["files"]!.AsArray();
            var libssl = Assert.Single(files, f => ((string)f!["path"]!).Contains("libssl.so", StringComparison.Ordinal))!;
            var stack = Assert.Single(libssl["stacks"]!.AsArray())!;
            Assert.Equal(("OpenSSL", "exported symbols"), ((string?)stack["name"], (string?)stack["method"]));
            Assert.Contains(stack["sites"]!.AsArray(), s => (string?)s!["kind"] == "SslHandshake");
            Assert.All(stack["sites"]!.AsArray(), s => Assert.StartsWith("0x", (string)s!["address"]!, StringComparison.Ordinal));
        }
        finally
        {
            python.Kill();
        }
    }

    [Fact]
    public async Task A_program_without_TLS_says_so_and_a_missing_one_is_a_usage_error()
    {
        var (code, stdout, _) = await HostProcess.RunAsync(["probes", "/usr/bin/true"]);
        Assert.Equal(0, code);
        Assert.Contains("no TLS library found", stdout, StringComparison.Ordinal);

        var (missing, _, error) = await HostProcess.RunAsync(["probes", "/no/such/program"]);
        Assert.Equal(2, missing);
        Assert.Contains("/no/such/program: no such file, and not a pid", error, StringComparison.Ordinal);
    }
}
