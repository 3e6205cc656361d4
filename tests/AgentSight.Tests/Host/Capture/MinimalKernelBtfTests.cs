using AgentSight.Host.Bpf;
using AgentSight.Host.Capture;
using AgentSight.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentSight.Tests.Capture;

/// <summary>
/// The kernel's BTF cut down to what our BPF objects relocate against (docs/PERFORMANCE.md, start-up): made once in the
/// background, the same code loaded with it as with the kernel's whole BTF, and a bad one costs a run nothing.
/// </summary>
[Collection(CaptureCollection.Name)]
public sealed class MinimalKernelBtfTests
{
    private static readonly string[] Objects = [EmbeddedObjects.Process, EmbeddedObjects.Io, EmbeddedObjects.Tls];

    [Fact]
    public async Task The_cut_down_BTF_is_made_in_the_background_and_every_program_loads_as_with_the_kernels_whole_BTF()
    {
        using var folder = TempFolder.ForCaller();
        var objects = Objects.Select(name => (name, EmbeddedObjects.Read(name))).ToArray();
        var btf = MinimalKernelBtf.For(folder.Combine("btf"), objects.Select(o => o.Item2));
        Assert.Null(btf.Existing);

        Assert.True(btf.StartMaking(objects, NullLogger.Instance), "bpftool could not be started");
        var made = await WaitForAsync(() => btf.Existing);

        // A few KB where the kernel's is megabytes, and nothing half-written left beside it.
        Assert.InRange(new FileInfo(made).Length, 100, 64 * 1024);
        Assert.True(new FileInfo(MinimalKernelBtf.KernelBtf).Length > 50 * new FileInfo(made).Length);
        Assert.Equal([made], Directory.GetFiles(folder.Combine("btf")));
        foreach (var (name, elf) in objects)
        {
            // The kernel's tag digests each program as libbpf handed it over: every CO-RE relocation applied.
            var whole = TagsOf(name, elf, kernelBtf: null);
            var cut = TagsOf(name, elf, made);
            Assert.NotEmpty(whole);
            Assert.All(whole.Values, tag => Assert.Matches("^[0-9a-f]{16}$", tag));
            Assert.Equal(whole, cut);
        }
    }

    [Fact]
    public async Task A_cut_down_BTF_that_fails_is_replaced_and_the_run_loses_nothing()
    {
        using var folder = TempFolder.ForCaller();
        var cache = folder.Combine("cache");
        var environment = new Dictionary<string, string> { ["AGENTSIGHT_CACHE_DIR"] = cache };
        var btf = MinimalKernelBtf.For(Path.Combine(cache, "btf"), Objects.Select(EmbeddedObjects.Read));
        Directory.CreateDirectory(Path.GetDirectoryName(btf.Path)!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await File.WriteAllTextAsync(btf.Path!, "not BTF at all");
        File.SetUnixFileMode(btf.Path!, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var session = folder.Combine("first.jsonl");

        var (code, _, stderr) = await HostProcess.RunAsync(
            ["record", "--no-server", "--no-summary", "-o", session, "--", "/bin/cat", "/etc/hostname"], folder.Path, TimeSpan.FromSeconds(120), environment);

        Assert.True(code == 0, stderr);
        Assert.Contains("cut-down kernel BTF", stderr, StringComparison.Ordinal);
        Assert.Single(CapturedEvent.ReadSession(session), e => e.Kind == "EXEC" && e.Argv.SequenceEqual(["/bin/cat", "/etc/hostname"]));
        // Deleted, and made again for the next run: BTF's magic number, 0xeb9f, little-endian.
        await WaitForAsync(() => btf.Existing is { } file && File.ReadAllBytes(file).AsSpan().StartsWith((byte[])[0x9f, 0xeb]) ? file : null);

        session = folder.Combine("second.jsonl");
        (code, _, stderr) = await HostProcess.RunAsync(
            ["record", "--no-server", "--no-summary", "--timings", "-o", session, "--", "/bin/cat", "/etc/hostname"], folder.Path, TimeSpan.FromSeconds(120), environment);

        Assert.True(code == 0, stderr);
        Assert.Contains("capture: objects relocated against the cut-down kernel BTF", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("cut-down kernel BTF", stderr.Replace("capture: objects relocated against the cut-down kernel BTF", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Single(CapturedEvent.ReadSession(session), e => e.Kind == "EXEC" && e.Argv.SequenceEqual(["/bin/cat", "/etc/hostname"]));
    }

    private static Dictionary<string, string?> TagsOf(string name, byte[] elf, string? kernelBtf)
    {
        using var loaded = BpfObject.Open(name, elf, kernelBtf);
        loaded.Load();
        return loaded.Programs().ToDictionary(program => program.Name, program => program.Tag());
    }

    private static async Task<string> WaitForAsync(Func<string?> file)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (file() is { } found)
            {
                return found;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException("the cut-down BTF was not made within 60 s");
    }
}
