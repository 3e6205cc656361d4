using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using AgentSight.Host.Capture.Discovery;
using AgentSight.Host.Capture.Discovery.Go;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Capture.Discovery;

/// <summary>
/// Go's function table read from a TLS client built here with the installed Go, plain and stripped
/// (<c>-ldflags="-s -w"</c>), checked against what the Go toolchain's own <c>nm</c> and <c>objdump</c> say about the
/// plain build (they need its symbol table, which the stripped one lacks).
/// </summary>
public sealed partial class GoFunctionTableTests(GoFunctionTableTests.GoBuilds builds) : IClassFixture<GoFunctionTableTests.GoBuilds>
{
    private const string ConnRead = "crypto/tls.(*Conn).Read";
    private const string ConnWrite = "crypto/tls.(*Conn).Write";

    [Fact]
    public void The_TLS_functions_are_where_go_tool_nm_puts_them()
    {
        using var elf = ElfImage.Open(builds.Plain);
        var table = Assert.IsType<GoFunctionTable>(GoFunctionTable.Read(elf));

        foreach (var name in new[] { ConnRead, ConnWrite })
        {
            var function = Assert.IsType<GoFunction>(table.Find(name));
            Assert.Equal(name, function.Name);
            Assert.Equal(builds.Symbols[name], function.Entry);
            // The range runs to the next function: the symbol's own size, plus padding up to the next symbol.
            Assert.Equal(builds.NextSymbolAfter(function.Entry), function.End);
            Assert.True(function.End - function.Entry >= builds.Sizes[name]);
        }
    }

    [Fact]
    public void A_stripped_build_gives_the_same_functions_as_the_unstripped_one()
    {
        using var plain = ElfImage.Open(builds.Plain);
        using var stripped = ElfImage.Open(builds.Stripped);
        Assert.DoesNotContain(stripped.Sections, s => s.Name == ".symtab");
        var plainTable = Assert.IsType<GoFunctionTable>(GoFunctionTable.Read(plain));
        var strippedTable = Assert.IsType<GoFunctionTable>(GoFunctionTable.Read(stripped));

        Assert.Equal(plainTable.Count, strippedTable.Count);
        Assert.Equal(plainTable.TextStart, strippedTable.TextStart);
        foreach (var name in new[] { ConnRead, ConnWrite })
        {
            var inPlain = Assert.IsType<GoFunction>(plainTable.Find(name));
            var inStripped = Assert.IsType<GoFunction>(strippedTable.Find(name));
            // Same code at the same place: -s -w drops symbols and DWARF, not a byte of the function.
            Assert.Equal(inPlain, inStripped);
            Assert.Equal(builds.Symbols[name], inStripped.Entry);
            var size = (int)(inPlain.End - inPlain.Entry);
            Assert.True(plain.At(inPlain.Entry, size).SequenceEqual(stripped.At(inStripped.Entry, size)));
        }
    }

    [Fact]
    public void The_table_format_and_the_Go_version_are_those_of_the_installed_Go()
    {
        using var elf = ElfImage.Open(builds.Stripped);
        var table = Assert.IsType<GoFunctionTable>(GoFunctionTable.Read(elf));

        Assert.Equal(builds.GoVersion, table.Version);
        Assert.Equal(ExpectedFormat(builds.GoVersion), table.Format);
        Assert.Equal(elf.Section(".text")!.Address, table.TextStart);
        Assert.InRange(table.Count, 1000, 100_000);
    }

    [Fact]
    public void The_returns_of_Conn_Read_are_the_RETs_go_tool_objdump_shows()
    {
        using var plain = ElfImage.Open(builds.Plain);
        using var stripped = ElfImage.Open(builds.Stripped);
        var expected = builds.ReturnsOfConnRead;
        Assert.NotEmpty(expected);

        foreach (var elf in new[] { plain, stripped })
        {
            var function = GoFunctionTable.Read(elf)!.Find(ConnRead)!;
            var sites = ReturnSites.Find(elf, function, out var complete);

            Assert.True(complete);
            Assert.Equal(expected, sites);
            Assert.All(sites, site => Assert.Equal(0xc3, elf.At(site, 1)[0]));
        }
    }

    [Fact]
    public void Names_match_whole_names_only()
    {
        using var elf = ElfImage.Open(builds.Stripped);
        var table = GoFunctionTable.Read(elf)!;

        Assert.Null(table.Find("crypto/tls.(*Conn).Rea"));
        Assert.Null(table.Find("tls.(*Conn).Read"));
        Assert.Null(table.Find(""));
        Assert.Null(table.Find("no/such.function"));
        var closure = Assert.IsType<GoFunction>(table.Find(ConnRead + ".func1"));
        Assert.Equal(builds.Symbols[ConnRead + ".func1"], closure.Entry);
        Assert.Equal(builds.Symbols["main.main"], table.Find("main.main")!.Entry);
    }

    [Fact]
    public void A_file_that_is_not_Go_has_no_table()
    {
        using var elf = ElfImage.Open("/usr/bin/true");

        Assert.Null(GoFunctionTable.Read(elf));
    }

    [Fact]
    public void Without_its_section_name_the_table_is_found_by_its_header()
    {
        // As in an externally linked PIE, where .gopclntab is merged into .data.rel.ro.
        using var folder = TempFolder.ForCaller();
        var copy = folder.Combine("renamed");
        File.Copy(builds.Stripped, copy);
        Patch(copy, (file, elf) =>
        {
            var names = elf.Sections[BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(62))];
            var at = file.AsSpan((int)names.Offset, (int)names.Size).IndexOf(".gopclntab\0"u8);
            Assert.True(at >= 0);
            ".xxpclntab"u8.CopyTo(file.AsSpan((int)names.Offset + at));
        });

        using var renamed = ElfImage.Open(copy);
        Assert.Null(renamed.Section(".gopclntab"));
        var table = Assert.IsType<GoFunctionTable>(GoFunctionTable.Read(renamed));
        Assert.Equal(builds.Symbols[ConnRead], table.Find(ConnRead)!.Entry);
        Assert.Equal(builds.Symbols[ConnWrite], table.Find(ConnWrite)!.Entry);
        Assert.Equal(builds.GoVersion, table.Version);
    }

    [Fact]
    public void A_text_start_left_zero_by_the_linker_is_taken_from_the_text_section()
    {
        // A PIE link may leave the header's runtime.text word zero and fill it with a relocation at load time.
        using var folder = TempFolder.ForCaller();
        var copy = folder.Combine("zeroed");
        File.Copy(builds.Stripped, copy);
        Patch(copy, (file, elf) => file.AsSpan((int)elf.Section(".gopclntab")!.Offset + 8 + 2 * 8, 8).Clear());

        using var zeroed = ElfImage.Open(copy);
        var table = Assert.IsType<GoFunctionTable>(GoFunctionTable.Read(zeroed));
        Assert.Equal(builds.Symbols[ConnRead], table.Find(ConnRead)!.Entry);
    }

    [Fact]
    public void The_version_is_read_from_the_pointer_form_of_the_build_information_too()
    {
        // Before Go 1.18 the blob held a pointer to a Go string header; rewrite this one into that form.
        using var folder = TempFolder.ForCaller();
        var copy = folder.Combine("old-buildinfo");
        File.Copy(builds.Stripped, copy);
        Patch(copy, (file, elf) =>
        {
            var section = elf.Section(".go.buildinfo")!;
            var blob = file.AsSpan((int)section.Offset, (int)section.Size);
            var version = Encoding.ASCII.GetBytes("go1.17.13");
            blob[15] = 0;
            BinaryPrimitives.WriteUInt64LittleEndian(blob[16..], section.Address + 64);
            BinaryPrimitives.WriteUInt64LittleEndian(blob[24..], 0);
            BinaryPrimitives.WriteUInt64LittleEndian(blob[64..], section.Address + 96);
            BinaryPrimitives.WriteUInt64LittleEndian(blob[72..], (ulong)version.Length);
            version.CopyTo(blob[96..]);
        });

        using var elf = ElfImage.Open(copy);
        Assert.Equal("go1.17.13", GoFunctionTable.Read(elf)!.Version);
    }

    [Fact]
    public void Implausible_ranges_give_no_return_sites_and_say_so()
    {
        using var elf = ElfImage.Open(builds.Stripped);
        var read = GoFunctionTable.Read(elf)!.Find(ConnRead)!;

        foreach (var function in new[]
        {
            read with { End = read.Entry },
            read with { End = read.Entry - 1 },
            read with { End = read.Entry + ReturnSites.MaxFunctionSize + 1 },
            new GoFunction("outside", 0x10, 0x20),
            new GoFunction("past the end of code", read.Entry, ulong.MaxValue - 1),
        })
        {
            Assert.Empty(ReturnSites.Find(elf, function, out var complete));
            Assert.False(complete);
        }
        // Decoding stops at the end given: a range ending after the second RET holds two.
        var shorter = read with { End = builds.ReturnsOfConnRead[1] + 1 };
        Assert.Equal(builds.ReturnsOfConnRead.Take(2), ReturnSites.Find(elf, shorter, out var shorterComplete));
        Assert.True(shorterComplete);
        // A range ending inside an instruction (the first one is longer than 2 bytes) is incomplete.
        Assert.Empty(ReturnSites.Find(elf, read with { End = read.Entry + 2 }, out var cutComplete));
        Assert.False(cutComplete);
    }

    [Fact]
    public void Damaged_copies_give_null_or_InvalidDataException_never_a_crash()
    {
        using var folder = TempFolder.ForCaller();
        var original = File.ReadAllBytes(builds.Stripped);
        int pclntab, buildinfo, phoff;
        using (var elf = ElfImage.Open(builds.Stripped))
        {
            pclntab = (int)elf.Section(".gopclntab")!.Offset;
            buildinfo = (int)elf.Section(".go.buildinfo")!.Offset;
            phoff = (int)BinaryPrimitives.ReadUInt64LittleEndian(original.AsSpan(32));
        }
        var functab = pclntab + (int)BinaryPrimitives.ReadUInt64LittleEndian(original.AsSpan(pclntab + 8 + 7 * 8));
        var names = pclntab + (int)BinaryPrimitives.ReadUInt64LittleEndian(original.AsSpan(pclntab + 8 + 3 * 8));

        // Cut short: the section headers are at the end of a Go executable, so these are refused at once.
        foreach (var length in new[] { 0, 63, 64, 4096, original.Length / 2, original.Length - 1 })
        {
            var path = folder.Combine($"cut-{length}");
            File.WriteAllBytes(path, original.AsSpan(0, length).ToArray());
            Exercise(path);
        }

        // Header fields out of range: a count or offset past the table, a wrong pad byte, pointer size, magic.
        var fields = new (int Offset, byte[] Bytes)[]
        {
            (pclntab + 8, BitConverter.GetBytes(0x7fff_ffff_ffffUL)),
            (pclntab + 8, BitConverter.GetBytes(0UL)),
            (pclntab + 8 + 7 * 8, BitConverter.GetBytes(0xffff_ffff_ffff_fff0UL)),
            (pclntab + 8 + 3 * 8, BitConverter.GetBytes(0x7fff_ffffUL)),
            (pclntab + 8 + 4 * 8, BitConverter.GetBytes(0UL)),
            (pclntab + 8 + 2 * 8, BitConverter.GetBytes(0xdead_beefUL)),
            (pclntab + 4, [1]),
            (pclntab + 7, [16]),
            (pclntab, [0, 0, 0, 0]),
            (functab, BitConverter.GetBytes(0xffff_ffffU)),
            (buildinfo + 32, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
            (buildinfo + 15, [0]),
        };
        // And each program header's file size far past the end of the file.
        var programHeaders = BinaryPrimitives.ReadUInt16LittleEndian(original.AsSpan(56));
        fields = [.. fields, .. Enumerable.Range(0, programHeaders).Select(i => (phoff + i * 56 + 32, BitConverter.GetBytes(0x7fff_0000UL)))];
        foreach (var (offset, bytes) in fields)
        {
            var path = folder.Combine($"field-{offset}-{Convert.ToHexString(bytes)}");
            var copy = original.ToArray();
            bytes.CopyTo(copy, offset);
            File.WriteAllBytes(path, copy);
            Exercise(path);
        }

        // Random bytes over the places that are read: header, function table, records, names, build info, program headers.
        var random = new Random(20240611);
        var regions = new (int Start, int Length)[] { (pclntab, 72), (functab, 4096), (functab + 16 * 1024, 64 * 1024), (names, 4096), (buildinfo, 64), (phoff, 56 * 4) };
        var damaged = folder.Combine("random");
        File.WriteAllBytes(damaged, original);
        for (var round = 0; round < 200; round++)
        {
            var (start, length) = regions[round % regions.Length];
            var changed = new List<int>();
            using (var stream = new FileStream(damaged, FileMode.Open, FileAccess.Write))
            {
                for (var i = 0; i < 1 + random.Next(16); i++)
                {
                    var at = start + random.Next(length);
                    changed.Add(at);
                    stream.Position = at;
                    stream.WriteByte((byte)random.Next(256));
                }
            }
            Exercise(damaged);
            using (var stream = new FileStream(damaged, FileMode.Open, FileAccess.Write))
            {
                foreach (var at in changed)
                {
                    stream.Position = at;
                    stream.WriteByte(original[at]);
                }
            }
        }
    }

    /// <summary>Reads the table and looks up and decodes the TLS functions; only InvalidDataException may escape.</summary>
    private static void Exercise(string path)
    {
        try
        {
            using var elf = ElfImage.Open(path);
            var table = GoFunctionTable.Read(elf);
            foreach (var name in new[] { ConnRead, ConnWrite, "main.main" })
            {
                if (table?.Find(name) is { } function)
                {
                    ReturnSites.Find(elf, function, out _);
                }
            }
        }
        catch (InvalidDataException)
        {
            // ElfImage refuses what is not a readable ELF file.
        }
    }

    /// <summary>Rewrites <paramref name="path"/> with <paramref name="change"/> applied to its bytes.</summary>
    private static void Patch(string path, Action<byte[], ElfImage> change)
    {
        var bytes = File.ReadAllBytes(path);
        using (var elf = ElfImage.Open(path))
        {
            change(bytes, elf);
        }
        File.WriteAllBytes(path, bytes);
    }

    private static string ExpectedFormat(string goVersion)
    {
        var minor = int.Parse(MinorVersion().Match(goVersion).Groups[1].Value, CultureInfo.InvariantCulture);
        return minor switch { >= 20 => "1.20", >= 18 => "1.18", >= 16 => "1.16", _ => "1.2" };
    }

    [GeneratedRegex(@"go1\.(\d+)")]
    private static partial Regex MinorVersion();

    [GeneratedRegex(@"^\s*([0-9a-f]+)\s+(\d+)\s+([A-Za-z])\s+(.+)$")]
    private static partial Regex NmLine();

    [GeneratedRegex(@"^\s*\S+\s+0x([0-9a-f]+)\s+[0-9a-f]+\s+RET\b")]
    private static partial Regex ObjdumpReturn();

    /// <summary>
    /// The TLS client, built once for the class (a build takes seconds), with what <c>go tool nm</c> and
    /// <c>go tool objdump</c> say about it.
    /// </summary>
    public sealed class GoBuilds : IDisposable
    {
        private const string Program = """
            // A TLS client that the tests build and never run: they read its function table.
            package main

            import (
                "crypto/tls"
                "fmt"
                "os"
            )

            func main() {
                conn, err := tls.Dial("tcp", "127.0.0.1:1", &tls.Config{MinVersion: tls.VersionTLS12})
                if err != nil {
                    fmt.Fprintln(os.Stderr, err)
                    os.Exit(1)
                }
                defer conn.Close()
                if _, err := conn.Write([]byte("GET / HTTP/1.0\r\n\r\n")); err != nil {
                    os.Exit(1)
                }
                buffer := make([]byte, 4096)
                n, _ := conn.Read(buffer)
                os.Stdout.Write(buffer[:n])
            }
            """;

        private readonly TempFolder _folder = TempFolder.ForCaller();
        private readonly List<ulong> _textSymbols;

        public GoBuilds()
        {
            var go = FindGo();
            var source = _folder.Combine("src");
            Directory.CreateDirectory(source);
            File.WriteAllText(Path.Combine(source, "main.go"), Program);
            File.WriteAllText(Path.Combine(source, "go.mod"), "module example.com/tlsclient\n\ngo 1.16\n");
            var environment = new Dictionary<string, string>
            {
                ["HOME"] = _folder.Combine("home"),
                ["GOCACHE"] = _folder.Combine("cache"),
                ["GOPATH"] = _folder.Combine("gopath"),
                ["GOFLAGS"] = "",
                ["GOENV"] = "off",
                ["GOWORK"] = "off",
                ["GO111MODULE"] = "on",
                ["GOPROXY"] = "off",
                ["GOTOOLCHAIN"] = "local",
                // Go's own linker, no C toolchain needed; the same code in both builds.
                ["CGO_ENABLED"] = "0",
            };
            GoVersion = Run(go, source, environment, "env", "GOVERSION").Trim();
            Plain = _folder.Combine("client");
            Stripped = _folder.Combine("client-stripped");
            Run(go, source, environment, "build", "-o", Plain, ".");
            Run(go, source, environment, "build", "-ldflags=-s -w", "-o", Stripped, ".");

            foreach (var line in Run(go, source, environment, "tool", "nm", "-n", "-size", Plain).Split('\n'))
            {
                var match = NmLine().Match(line);
                if (match.Success && match.Groups[3].Value is "T" or "t")
                {
                    var address = ulong.Parse(match.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    Symbols.TryAdd(match.Groups[4].Value, address);
                    Sizes.TryAdd(match.Groups[4].Value, ulong.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
                }
            }
            _textSymbols = Symbols.Values.Distinct().Order().ToList();
            ReturnsOfConnRead = Run(go, source, environment, "tool", "objdump", "-s", @"^crypto/tls\.\(\*Conn\)\.Read$", Plain)
                .Split('\n')
                .Select(line => ObjdumpReturn().Match(line))
                .Where(match => match.Success)
                .Select(match => ulong.Parse(match.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture))
                .ToList();
        }

        /// <summary>What <c>go env GOVERSION</c> says, e.g. <c>go1.19.8</c>.</summary>
        public string GoVersion { get; }

        /// <summary>The client as <c>go build</c> makes it, with its symbol table.</summary>
        public string Plain { get; }

        /// <summary>The client built with <c>-ldflags="-s -w"</c>: no symbol table, no DWARF.</summary>
        public string Stripped { get; }

        /// <summary>Text symbols of the plain build, by name, from <c>go tool nm</c>.</summary>
        public Dictionary<string, ulong> Symbols { get; } = new(StringComparer.Ordinal);

        /// <summary>Their sizes as <c>go tool nm -size</c> gives them (without the padding after them).</summary>
        public Dictionary<string, ulong> Sizes { get; } = new(StringComparer.Ordinal);

        /// <summary>The RET addresses in <c>crypto/tls.(*Conn).Read</c>, from <c>go tool objdump</c> of the plain build.</summary>
        public List<ulong> ReturnsOfConnRead { get; }

        /// <summary>The address of the first text symbol after <paramref name="address"/>.</summary>
        public ulong NextSymbolAfter(ulong address) => _textSymbols.First(a => a > address);

        public void Dispose() => _folder.Dispose();

        private static string FindGo()
        {
            var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
                .Select(folder => Path.Combine(folder, "go"));
            return onPath.Concat(["/usr/bin/go", "/usr/lib/go/bin/go", "/usr/local/go/bin/go"]).FirstOrDefault(File.Exists)
                ?? throw new InvalidOperationException(
                    "The Go toolchain (go) is not installed, and these tests build a Go TLS client with it: scripts/setup installs golang.");
        }

        private static string Run(string go, string folder, Dictionary<string, string> environment, params string[] args)
        {
            var start = new ProcessStartInfo(go)
            {
                WorkingDirectory = folder,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in args)
            {
                start.ArgumentList.Add(arg);
            }
            foreach (var (name, value) in environment)
            {
                start.Environment[name] = value;
            }
            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"go {string.Join(' ', args)} did not finish in 5 minutes");
            }
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"go {string.Join(' ', args)} failed ({process.ExitCode}): {error.Result}");
            }
            return output;
        }
    }
}
