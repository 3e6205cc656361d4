using AgentSight.Host.Capture.Discovery;
using AgentSight.Tests.Agents;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Capture.Discovery;

/// <summary>
/// Discovery in the real agents' stripped binaries, at every pinned release: where no symbol says where
/// <c>SSL_read</c> is, the functions found must be the ones the code itself shows (which calls which, a function's
/// first instruction). The live capture tests (Agents/AgentCaptureTests) prove the plaintext comes out.
/// </summary>
public sealed class StrippedStackDiscoveryTests
{
    public static TheoryData<string> ClaudeCodeReleases => [.. RealAgent.Matrix.Where(a => a.Kind == AgentKind.ClaudeCode).Select(a => a.Version)];

    public static TheoryData<string> CodexReleases => [.. RealAgent.Matrix.Where(a => a.Kind == AgentKind.Codex).Select(a => a.Version)];

    [Theory]
    [MemberData(nameof(ClaudeCodeReleases))]
    public async Task Claude_Codes_BoringSSL_is_found_by_its_error_sites(string version)
    {
        var agent = new RealAgent(AgentKind.ClaudeCode, version);
        await agent.EnsureInstalledAsync();

        var found = BinaryDiscovery.Default().Analyse(agent.Executable, agent.Executable);

        Assert.StartsWith("Bun 1.", found.Program);
        Assert.NotNull(found.BuildId);
        var stack = Assert.Single(found.Stacks);
        Assert.Equal("BoringSSL", stack.Name);
        Assert.Equal(["SSL_read", "SSL_write", "SSL_do_handshake"], stack.Sites.Select(s => s.Function));
        Assert.Equal([ProbeKind.SslRead, ProbeKind.SslWrite, ProbeKind.SslHandshake], stack.Sites.Select(s => s.Kind));
        using var elf = ElfImage.Open(agent.Executable);
        var functions = new FunctionLocator(elf);
        var read = stack.Sites[0].Address;
        var write = stack.Sites[1].Address;
        var handshake = stack.Sites[2].Address;
        // Each is the start of its own function, in code, and the calls between them are BoringSSL's.
        foreach (var site in stack.Sites)
        {
            Assert.True(elf.IsCode(site.Address));
            Assert.Equal(site.Address, functions.StartOf(site.Address));
        }
        Assert.True(functions.Code(write).Calls(handshake), "SSL_write calls SSL_do_handshake");
        Assert.Contains(functions.Code(read).CallTargets(), impl => functions.Code(impl).Calls(handshake));
        Assert.Empty(found.Problems);
    }

    [Theory]
    [MemberData(nameof(CodexReleases))]
    public async Task Codexs_rustls_is_seen_through_aws_lcs_AEAD_functions(string version)
    {
        var agent = new RealAgent(AgentKind.Codex, version);
        await agent.EnsureInstalledAsync();

        var found = BinaryDiscovery.Default().Analyse(agent.Executable, agent.Executable);

        var aead = Assert.Single(found.Stacks, s => s.Name.StartsWith("aws-lc", StringComparison.Ordinal));
        Assert.Matches(@"^rustls 0\.23\.\d+ \+ aws-lc-rs 1\.\d+\.\d+$", aead.Version);
        Assert.Equal([ProbeKind.AeadSeal, ProbeKind.AeadOpen, ProbeKind.AeadSealScatter], aead.Sites.Select(s => s.Kind));
        Assert.Equal(3, aead.Sites.Select(s => s.Address).Distinct().Count());
        // Codex also carries OpenSSL 3.6 (unused for model calls): found by its own names, with the 3.3+ write signature.
        var openssl = Assert.Single(found.Stacks, s => s.Name == "OpenSSL");
        Assert.StartsWith("3.", openssl.Version);
        Assert.Contains(openssl.Sites, s => s.Kind == ProbeKind.SslWriteInternalFlags);
        Assert.Equal("a Rust program", found.Program);
    }

    [Fact]
    public async Task A_Go_program_stripped_of_symbols_is_probed_at_Write_and_at_every_RET_of_Read()
    {
        var client = await GoProgram.BuildAsync(GoProgram.HttpsClient);

        var found = BinaryDiscovery.Default().Analyse(client, client);

        var stack = Assert.Single(found.Stacks);
        Assert.Equal("Go crypto/tls", stack.Name);
        Assert.StartsWith("1.", stack.Version);
        // Go 1.17+ prologues check the stack size first: the probe sits on the (emulated) jump of that check.
        var write = Assert.Single(stack.Sites, s => s.Kind == ProbeKind.GoWriteAtStackCheck);
        var read = Assert.Single(stack.Sites, s => s.Kind == ProbeKind.GoReadAtStackCheck);
        Assert.Equal("crypto/tls.(*Conn).Write", write.Function);
        Assert.NotEmpty(read.Returns!);
        using var elf = ElfImage.Open(client);
        Assert.All(read.Returns!, ret => Assert.Equal(0xc3, elf.At(ret, 1)[0]));
        foreach (var site in stack.Sites)
        {
            var jump = elf.At(site.EntryProbe, 2);
            Assert.True(jump[0] == 0x76 || (jump[0] == 0x0f && jump[1] == 0x86), $"{site.Function}: the probe is not on a jbe");
            Assert.InRange(site.EntryProbe - site.Address, 4UL, 12UL);
        }
    }

    [Fact]
    public void A_program_with_no_TLS_library_has_no_stack_and_no_problem()
    {
        var found = BinaryDiscovery.Default().Analyse("/usr/bin/true", "/usr/bin/true");

        Assert.Empty(found.Stacks);
        Assert.Empty(found.Problems);
        Assert.Equal("no TLS library found", found.Summary);
    }

    [Fact]
    public void BoringSSLs_file_name_without_its_error_sites_is_reported_not_guessed()
    {
        using var folder = TempFolder.ForCaller();
        var source = folder.Combine("fake.c");
        File.WriteAllText(source, """
            #include <stdio.h>
            const char *volatile file = "../../vendor/boringssl/ssl/ssl_lib.cc";
            int main(void) { puts(file); return 0; }
            """);
        var binary = folder.Combine("fake");
        CCompiler.Compile(source, binary);

        var found = BinaryDiscovery.Default().Analyse(binary, binary);

        Assert.Empty(found.Stacks);
        var problem = Assert.Single(found.Problems);
        Assert.StartsWith("BoringSSL: ", problem);
        Assert.Equal(problem, found.Summary);
    }
}
