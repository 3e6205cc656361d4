using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace AgentSight.Tests.Support;

/// <summary>
/// A Go program built by the tests from source, with Debian's Go and the standard library only (no network), once
/// per source text and flags: the binary is kept under the system temp folder, named by a hash of both.
/// </summary>
internal static class GoProgram
{
    private static readonly SemaphoreSlim Gate = new(1, 1);

    /// <summary>Builds <paramref name="source"/> (a main package) with <paramref name="ldflags"/>; returns the binary's path.</summary>
    public static async Task<string> BuildAsync(string source, string ldflags = "-s -w")
    {
        var go = FindGo();
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(source + "\n" + ldflags)))[..16];
        var folder = Path.Combine(Path.GetTempPath(), "agentsight-tests", "go", hash);
        var binary = Path.Combine(folder, "program");
        await Gate.WaitAsync();
        try
        {
            if (File.Exists(binary))
            {
                return binary;
            }
            Directory.CreateDirectory(folder);
            await File.WriteAllTextAsync(Path.Combine(folder, "main.go"), source);
            await File.WriteAllTextAsync(Path.Combine(folder, "go.mod"), "module program\n\ngo 1.19\n");
            var start = new ProcessStartInfo(go, ["build", "-trimpath", $"-ldflags={ldflags}", "-o", binary + ".tmp", "."])
            {
                WorkingDirectory = folder,
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            // Everything Go writes stays in the build folder; no module download is ever needed.
            start.Environment["HOME"] = folder;
            start.Environment["GOCACHE"] = Path.Combine(Path.GetTempPath(), "agentsight-tests", "go", "cache");
            start.Environment["GOPATH"] = Path.Combine(folder, "gopath");
            start.Environment["GOPROXY"] = "off";
            start.Environment["GOFLAGS"] = "-mod=mod";
            start.Environment["CGO_ENABLED"] = "0";
            using var process = Process.Start(start)!;
            var errors = process.StandardError.ReadToEndAsync();
            await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, $"go build failed: {await errors}");
            File.Move(binary + ".tmp", binary, overwrite: true);
            return binary;
        }
        finally
        {
            Gate.Release();
        }
    }

    private static string FindGo()
    {
        foreach (var candidate in new[] { "/usr/bin/go", "/usr/lib/go/bin/go", "/usr/local/go/bin/go" })
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        Assert.Fail("go is needed by this test and was not found (scripts/setup --tests installs golang)");
        return null!;
    }

    /// <summary>
    /// An HTTPS client (HTTP/1.1 only) that POSTs an Anthropic-style streamed request to ARG1 + "/v1/messages",
    /// trusting the CA in ARG2, and prints the status and the body's length.
    /// </summary>
    public const string HttpsClient = """
        package main

        import (
        	"bytes"
        	"crypto/tls"
        	"crypto/x509"
        	"fmt"
        	"io"
        	"net/http"
        	"os"
        )

        func main() {
        	pool := x509.NewCertPool()
        	pem, err := os.ReadFile(os.Args[2])
        	if err != nil || !pool.AppendCertsFromPEM(pem) {
        		fmt.Println("no CA:", err)
        		os.Exit(2)
        	}
        	transport := &http.Transport{
        		TLSClientConfig: &tls.Config{RootCAs: pool},
        		TLSNextProto:    map[string]func(string, *tls.Conn) http.RoundTripper{},
        	}
        	client := &http.Client{Transport: transport}
        	body := []byte(`{"model":"claude-from-go","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"hello from go"}]}`)
        	request, _ := http.NewRequest("POST", os.Args[1]+"/v1/messages", bytes.NewReader(body))
        	request.Header.Set("Content-Type", "application/json")
        	request.Header.Set("anthropic-version", "2023-06-01")
        	response, err := client.Do(request)
        	if err != nil {
        		fmt.Println("error:", err)
        		os.Exit(1)
        	}
        	answer, _ := io.ReadAll(response.Body)
        	fmt.Println(response.Status, len(answer))
        }
        """;

    /// <summary>
    /// An HTTPS client as Go programs are by default: net/http takes HTTP/2 when the server offers it in ALPN. Two
    /// streamed Anthropic-style calls to ARG1 + "/v1/messages" on one connection (HPACK's dynamic table carries over
    /// from the first to the second), trusting the CA in ARG2; prints each call's protocol, status and body length.
    /// </summary>
    public const string Http2Client = """
        package main

        import (
        	"bytes"
        	"crypto/tls"
        	"crypto/x509"
        	"fmt"
        	"io"
        	"net/http"
        	"os"
        )

        func main() {
        	pool := x509.NewCertPool()
        	pem, err := os.ReadFile(os.Args[2])
        	if err != nil || !pool.AppendCertsFromPEM(pem) {
        		fmt.Println("no CA:", err)
        		os.Exit(2)
        	}
        	// A custom TLS config turns Go's automatic HTTP/2 off; ForceAttemptHTTP2 turns it back on, as http.DefaultTransport has it.
        	transport := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}
        	client := &http.Client{Transport: transport}
        	for i := 1; i <= 2; i++ {
        		body := []byte(fmt.Sprintf(`{"model":"claude-from-go-h2","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"hello %d from go over h2"}]}`, i))
        		request, _ := http.NewRequest("POST", os.Args[1]+"/v1/messages", bytes.NewReader(body))
        		request.Header.Set("Content-Type", "application/json")
        		request.Header.Set("anthropic-version", "2023-06-01")
        		request.Header.Set("x-api-key", "sk-ant-api03-go-fake-key-0000000000000000000000000000")
        		response, err := client.Do(request)
        		if err != nil {
        			fmt.Println("error:", err)
        			os.Exit(1)
        		}
        		answer, _ := io.ReadAll(response.Body)
        		response.Body.Close()
        		fmt.Println(response.Proto, response.Status, len(answer))
        	}
        }
        """;
}
