using System.Diagnostics;
using System.Globalization;
using AgentSight.Host.Capture;
using AgentSight.Host.Capture.Discovery;

namespace AgentSight.Tests.Capture.Discovery;

/// <summary>Function bounds read from the unwind tables agree with the symbol sizes of the same functions.</summary>
public sealed class EhFrameIndexTests
{
    [Fact]
    public void Every_exported_function_of_libssl_has_the_bounds_its_symbol_gives()
    {
        var libssl = Assert.Single(TlsDiscovery.SystemLibraryCandidates().Take(1));
        var symbols = ExportedFunctions(libssl);
        Assert.True(symbols.Count > 100, $"nm -D listed {symbols.Count} functions of {libssl}");
        using var elf = ElfImage.Open(libssl);
        var index = Assert.IsType<EhFrameIndex>(EhFrameIndex.Read(elf));

        var checkedCount = 0;
        foreach (var (address, size) in symbols.Where(s => s.Size > 0))
        {
            // The middle of the function maps to the function, whatever its unwind entry covers beyond the symbol.
            var bounds = index.FunctionAt(address + size / 2);
            Assert.True(bounds is not null, $"no unwind entry covers 0x{address:x}");
            Assert.Equal(address, bounds!.Value.Start);
            Assert.True(bounds.Value.End >= address + size, $"0x{address:x}: unwind range ends at 0x{bounds.Value.End:x}, the symbol at 0x{address + size:x}");
            checkedCount++;
        }
        Assert.True(checkedCount > 100);
    }

    [Fact]
    public void An_address_outside_every_function_has_no_bounds()
    {
        using var elf = ElfImage.Open("/usr/bin/true");
        var index = Assert.IsType<EhFrameIndex>(EhFrameIndex.Read(elf));

        Assert.Null(index.FunctionAt(0));
        Assert.Null(index.FunctionAt(ulong.MaxValue - 1));
    }

    private static List<(ulong Address, ulong Size)> ExportedFunctions(string library)
    {
        var start = new ProcessStartInfo("nm", ["-D", "-S", "--defined-only", library]) { RedirectStandardOutput = true };
        using var nm = Process.Start(start)!;
        var lines = nm.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        nm.WaitForExit();
        // "000000000003a0f0 0000000000000056 T SSL_read"
        return [.. lines.Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length == 4 && f[2] is "T" or "t")
            .Select(f => (ulong.Parse(f[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture), ulong.Parse(f[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture)))
            .Distinct()];
    }
}
