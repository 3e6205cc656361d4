using System.Runtime.InteropServices;
using AgentSight.Host.Capture;
using AgentSight.Host.Capture.Discovery;
using AgentSight.Host.Cli;

namespace AgentSight.Tests.Capture;

/// <summary>The pieces under live capture that need no kernel: layouts, parsing, probe placement, preflight.</summary>
public sealed class CaptureInternalsTests
{
    [Fact]
    public void Record_layouts_have_the_sizes_of_the_C_structs()
    {
        // bpf/agentsight.h asserts the same sizes with _Static_assert: a change on one side fails the other's build.
        Assert.Equal(96, Marshal.SizeOf<TlsRecordHeader>());
        Assert.Equal(64, Marshal.SizeOf<SocketRecord>());
        Assert.Equal(176, Marshal.SizeOf<ConnectRecord>());
        Assert.Equal(64, Marshal.SizeOf<MmapRecord>());
        Assert.Equal(48, Marshal.SizeOf<ProcessRecordHeader>());
        Assert.Equal(64, Marshal.SizeOf<ExecRecord>());
        Assert.Equal(56, Marshal.SizeOf<ExitRecord>());
        Assert.Equal(88, Marshal.SizeOf<OpenRecord>());
        Assert.Equal(40, Marshal.SizeOf<TlsConfig>());
        Assert.Equal(304, Marshal.SizeOf<ProcessConfig>());
        Assert.Equal(8, Marshal.SizeOf<TrackedProcess>());
        Assert.Equal(88, Marshal.SizeOf<IoRecordHeader>());
        Assert.Equal(48, Marshal.SizeOf<IoConfig>());
        Assert.Equal(64, Marshal.OffsetOf<TlsRecordHeader>(nameof(TlsRecordHeader.Captured)).ToInt32());
        Assert.Equal(40, Marshal.OffsetOf<ProcessConfig>(nameof(ProcessConfig.Comms)).ToInt32());
    }

    [Fact]
    public void Both_BPF_objects_are_embedded_in_the_host()
    {
        foreach (var name in new[] { EmbeddedObjects.Tls, EmbeddedObjects.Process })
        {
            var bytes = EmbeddedObjects.Read(name);
            Assert.True(bytes.AsSpan().StartsWith("\u007fELF"u8), name);
        }
    }

    [Theory]
    [InlineData(new byte[] { 0x55, 0x48, 0x89, 0xe5 }, true)]                 // push %rbp
    [InlineData(new byte[] { 0x41, 0x55, 0x41, 0x54 }, true)]                 // push %r13
    [InlineData(new byte[] { 0x0f, 0x1f, 0x44, 0x00, 0x00 }, true)]           // nopl
    [InlineData(new byte[] { 0xe8, 0x00, 0x00, 0x00, 0x00 }, true)]           // call
    [InlineData(new byte[] { 0x48, 0x83, 0xec, 0x08 }, false)]                // sub $8,%rsp
    [InlineData(new byte[] { 0xf3, 0x0f, 0x1e, 0xfa }, false)]                // endbr64
    [InlineData(new byte[] { 0x89, 0xd0 }, false)]                            // mov %edx,%eax
    public void Only_instructions_the_kernel_emulates_count_as_cheap_probe_sites(byte[] code, bool emulated) =>
        Assert.Equal(emulated, ProbePlacement.IsEmulated(code));

    [Fact]
    public void A_thin_wrapper_leads_to_the_function_it_calls()
    {
        // Debian's SSL_read_ex at 0x354c0: sub $0x8,%rsp; call 0x35290 (ssl_read_internal).
        byte[] code = [0x48, 0x83, 0xec, 0x08, 0xe8, 0xc7, 0xfd, 0xff, 0xff, 0x31, 0xd2];

        Assert.Equal(0x35290UL, ProbePlacement.ThinWrapperTarget(0x354c0, code));
        Assert.Null(ProbePlacement.ThinWrapperTarget(0x354c0, [0x48, 0x83, 0xec, 0x18, 0x64, 0x48]));
        Assert.True(ProbePlacement.Calls(0x354c0, code, 0x35290));
        Assert.False(ProbePlacement.Calls(0x354c0, code, 0x35291));
    }

    [Fact]
    public void The_system_libssl_exports_the_functions_and_offsets_point_at_their_code()
    {
        var libssl = Assert.Single(TlsDiscovery.SystemLibraryCandidates(), p => Path.GetFileName(p) == "libssl.so.3");
        using var elf = ElfImage.Open(libssl);

        var functions = elf.FindFunctions(["SSL_read", "SSL_write", "SSL_read_ex", "SSL_write_ex", "SSL_do_handshake", "no_such_function"]);

        Assert.Equal(5, functions.Count);
        Assert.All(functions.Values, address => Assert.NotNull(elf.ToFileOffset(address)));
        Assert.All(functions.Values, address => Assert.NotEmpty(elf.ReadCode(address, 16)));
    }

    [Fact]
    public void The_loaders_cache_read_in_place_lists_what_ldconfig_prints()
    {
        // "	libssl.so.3 (libc6,x86-64) => /lib/x86_64-linux-gnu/libssl.so.3", the lines of this machine's architecture.
        var printed = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("/sbin/ldconfig", "-p") { RedirectStandardOutput = true })!;
        var lines = printed.StandardOutput.ReadToEnd().Split('\n').Select(l => l.Trim()).Where(l => l.Contains("(libc6,x86-64", StringComparison.Ordinal));
        printed.WaitForExit();
        var expected = lines.Select(l => (Name: l.Split(' ')[0], Path: l.Split(" => ")[1])).ToList();

        var read = LdSoCache.Read();

        Assert.NotNull(read);
        Assert.NotEmpty(expected);
        Assert.Equal(expected.Order(), read.Select(e => (e.Name, e.Path)).Order());
        Assert.Contains(read, e => e.Name == "libssl.so.3");
    }

    [Fact]
    public void A_loaders_cache_in_an_unknown_format_is_left_to_ldconfig()
    {
        Assert.Null(LdSoCache.Parse("not a cache at all, just text"u8, 0x0300));
        Assert.Null(LdSoCache.Read("/nonexistent/ld.so.cache"));
        // A header that promises more entries than the file holds.
        var truncated = System.Text.Encoding.ASCII.GetBytes("glibc-ld.so.cache1.1").Concat(new byte[] { 0xff, 0xff, 0, 0 }).Concat(new byte[24]).ToArray();
        Assert.Null(LdSoCache.Parse(truncated, 0x0300));
    }

    [Fact]
    public void A_file_that_is_not_ELF_is_refused_with_a_reason()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "#!/bin/sh\necho not elf\n");
            var error = Assert.Throws<InvalidDataException>(() => ElfImage.Open(path));
            Assert.Contains("not an ELF file", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Maps_lines_give_each_executable_file_once_through_the_process_root()
    {
        string[] lines =
        [
            "55d1c0000000-55d1c0001000 r--p 00000000 08:01 1234   /usr/bin/python3.11",
            "55d1c0001000-55d1c0200000 r-xp 00001000 08:01 1234   /usr/bin/python3.11",
            "7f0000000000-7f0000100000 r-xp 00000000 08:01 99     /usr/lib/x86_64-linux-gnu/libssl.so.3",
            "7f0000200000-7f0000300000 r-xp 00000000 08:01 99     /usr/lib/x86_64-linux-gnu/libssl.so.3",
            "7f0000400000-7f0000500000 r-xp 00000000 00:00 0      [vdso]",
            "7f0000600000-7f0000700000 r-xp 00000000 08:01 77     /tmp/my lib.so (deleted)",
            "7f0000800000-7f0000900000 r-xp 00000000 08:01 78     /opt/app/with space.so",
        ];

        var files = ProcMaps.Parse(lines, 42);

        Assert.Equal(["/usr/bin/python3.11", "/usr/lib/x86_64-linux-gnu/libssl.so.3", "/opt/app/with space.so"], files.Select(f => f.Path));
        Assert.Equal("/proc/42/root/usr/bin/python3.11", files[0].AccessPath);
    }

    [Fact]
    public void Proc_stat_is_read_even_when_the_name_holds_spaces_and_parentheses()
    {
        var entry = ProcessTable.Parse(4242, "4242 (my (odd) name) S 17 4242 4242 0 -1 4194560 ...");

        Assert.Equal(new ProcessEntry(4242, 17, "my (odd) name"), entry);
        Assert.Equal([1, 2, 3, 5], ProcessTable.WithDescendants([1], [new(2, 1, "a"), new(3, 2, "b"), new(4, 9, "c"), new(5, 3, "d")]).Order());
    }

    [Fact]
    public void Process_names_are_matched_as_the_kernel_keeps_them()
    {
        Assert.Equal("a-very-long-pro\0"u8.ToArray(), CommNames.Encode("a-very-long-process-name"));
        Assert.Equal(["claude", "node", "python3"], CaptureCommand.Comms(["claude,node", " python3 ", "node"]));
    }

    [Theory]
    [InlineData("65536", 65536L)]
    [InlineData("256K", 262144L)]
    [InlineData("1M", 1048576L)]
    [InlineData("4MiB", 4194304L)]
    [InlineData("12kb", 12288L)]
    public void Sizes_take_binary_units(string text, long bytes)
    {
        Assert.True(CaptureCommand.TryParseSize(text, out var parsed));
        Assert.Equal(bytes, parsed);
    }

    [Fact]
    public void Capture_options_refuse_what_the_programs_cannot_do()
    {
        Assert.Empty(new CaptureOptions { Tls = true }.Validate());
        Assert.Contains(new CaptureOptions { Tls = true, MaxCapture = 8L << 20 }.Validate(), p => p.Contains("--max-capture", StringComparison.Ordinal));
        Assert.Contains(new CaptureOptions { Tls = true, TlsRingMb = 3 }.Validate(), p => p.Contains("power of two", StringComparison.Ordinal));
        Assert.Contains(new CaptureOptions { Tls = true, Comms = [.. Enumerable.Range(0, 17).Select(i => $"c{i}")] }.Validate(), p => p.Contains("at most 16", StringComparison.Ordinal));
        Assert.Contains(new CaptureOptions().Validate(), p => p.Contains("nothing to capture", StringComparison.Ordinal));
    }

    [Fact]
    public void The_original_sslsniff_and_process_flags_still_work_after_a_double_dash()
    {
        List<int> pids = [];
        List<string> comms = [];
        uint? uid = null;
        var handshakes = false;
        var system = true;
        int? mode = null;

        Assert.Null(SslCommand.ReadLegacy(["-p", "1234", "--uid=1000", "-c", "claude", "--handshake", "-o"], pids, comms, ref uid, ref handshakes, ref system));
        Assert.Null(ProcessCommand.ReadLegacy(["-c", "node, python", "-m", "2"], pids, comms, ref mode));

        Assert.Equal([1234], pids);
        Assert.Equal((1000u, true, false, 2), (uid!.Value, handshakes, system, mode!.Value));
        Assert.Equal(["claude", "node", "python"], comms);
        Assert.NotNull(SslCommand.ReadLegacy(["--nss-please"], pids, comms, ref uid, ref handshakes, ref system));
    }

    [Theory]
    [InlineData(null, false, true, 7u)]   // exec, fork, exit
    [InlineData(null, true, true, 15u)]   // and file opens
    [InlineData(0, false, true, 15u)]
    [InlineData(2, false, false, 0u)]
    [InlineData(1, true, false, 0u)]
    public void Process_modes_map_to_what_is_emitted(int? mode, bool hasFilter, bool valid, uint emit)
    {
        Assert.Equal(valid, ProcessCommand.ResolveMode(mode, hasFilter, out var resolved, out var error));
        if (valid)
        {
            Assert.Equal((ProcessEmit)emit, resolved);
            Assert.Null(error);
        }
        else
        {
            Assert.NotNull(error);
        }
    }

    [Fact]
    public void Preflight_names_the_first_missing_piece_and_its_fix()
    {
        var missingTracefs = new Preflight { TracefsPaths = ["/nonexistent/tracing"], EffectiveUid = () => 0 }.Check(needTracefs: true, needUprobes: true);
        var missingBtf = new Preflight { BtfPath = "/nonexistent/vmlinux", EffectiveUid = () => 0 }.Check(needTracefs: true, needUprobes: true);
        var missingLibbpf = new Preflight { LibbpfName = "libbpf-not-here.so.9", EffectiveUid = () => 0 }.Check(needTracefs: false, needUprobes: true);
        var notRoot = new Preflight { EffectiveUid = () => 1000, StatusPath = "/nonexistent/status" }.Check(needTracefs: false, needUprobes: true);
        var tracefsNotNeeded = new Preflight { TracefsPaths = ["/nonexistent/tracing"], EffectiveUid = () => 0 }.Check(needTracefs: false, needUprobes: false);

        Assert.Equal("cannot capture: tracefs is not mounted (/nonexistent/tracing is empty); fix: sudo mount -t tracefs nodev /nonexistent/tracing (scripts/setup does it)",
            missingTracefs?.ToString());
        Assert.Contains("CONFIG_DEBUG_INFO_BTF", missingBtf?.Fix, StringComparison.Ordinal);
        Assert.Contains("apt-get install libbpf1", missingLibbpf?.Fix, StringComparison.Ordinal);
        Assert.Contains("needs root", notRoot?.Problem, StringComparison.Ordinal);
        Assert.True(tracefsNotNeeded is null || !tracefsNotNeeded.Problem.Contains("tracefs", StringComparison.Ordinal));
    }

    [Fact]
    public void Boot_time_maps_to_now_on_the_wall_clock()
    {
        var clock = new BootClock();
        var boot = (ulong)Posix.Now(Posix.ClockBoottime);

        var epoch = clock.ToEpoch(boot);

        Assert.InRange(epoch - (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000), -50_000_000, 50_000_000);
    }

    [Fact]
    public void The_user_behind_sudo_runs_the_command_with_their_home()
    {
        var user = UserIdentity.FromSudo(new Dictionary<string, string> { ["SUDO_UID"] = "65534", ["SUDO_GID"] = "65534" }, isRoot: true);
        Assert.NotNull(user);
        Assert.Equal((65534u, 65534u), (user!.Uid, user.Gid));
        var environment = user.Apply(new Dictionary<string, string> { ["HOME"] = "/root", ["PATH"] = "/usr/bin" });
        Assert.Equal(user.Home ?? "/root", environment["HOME"]);
        Assert.Equal("/usr/bin", environment["PATH"]);

        Assert.Null(UserIdentity.FromSudo(new Dictionary<string, string> { ["SUDO_UID"] = "0" }, isRoot: true));
        Assert.Null(UserIdentity.FromSudo(new Dictionary<string, string> { ["SUDO_UID"] = "1000" }, isRoot: false));
        Assert.Null(UserIdentity.FromSudo(new Dictionary<string, string>(), isRoot: true));
    }
}
