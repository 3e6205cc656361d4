using System.Text;
using AgentSight.Contracts;
using AgentSight.Host.Runners.Replay;
using AgentSight.Tests.Support;
using static AgentSight.Tests.Runners.ReplayHarness;

namespace AgentSight.Tests.Runners;

/// <summary>How lines are cut: line endings, BOM, blank lines, long lines.</summary>
public sealed class ReplayFramingTests
{
    private static string Valid(int n, int padding = 0) =>
        RunnerHarness.Line(Some.JsonEvent("test", new() { ["n"] = n, ["pad"] = new string('p', padding) }, timestamp: Some.Epoch + n));

    private static int N(AgentEvent evt) => (int)evt.Fields!["n"]!;

    [Fact]
    public async Task CRLF_a_BOM_blank_lines_and_a_last_line_without_newline_are_all_read()
    {
        using var folder = TempFolder.ForCaller();
        var text = "\uFEFF" + Valid(1) + "\r\n"
            + "\r\n"
            + "   \t \r\n"
            + Valid(2) + "\n"
            + "\n"
            + "not json\r\n"
            + Valid(3);
        var path = WriteBytes(folder, Encoding.UTF8.GetBytes(text));

        var replay = await ReplayFileAsync(path);

        Assert.Equal([1, 2, 3], replay.Events.Select(N));
        Assert.Equal(1, replay.BadLines);
        // Blank lines still count: the bad line is the sixth line of the file.
        Assert.Contains(":6: skipped bad line", Assert.Single(replay.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_BOM_is_only_skipped_at_the_start_of_the_file()
    {
        using var folder = TempFolder.ForCaller();
        var path = WriteBytes(folder, Encoding.UTF8.GetBytes(Valid(1) + "\n\uFEFF" + Valid(2) + "\n"));

        var replay = await ReplayFileAsync(path);

        Assert.Equal([1], replay.Events.Select(N));
        Assert.Equal(1, replay.BadLines);
    }

    [Fact]
    public async Task An_empty_file_replays_nothing()
    {
        using var folder = TempFolder.ForCaller();
        var path = WriteBytes(folder, []);

        var replay = await ReplayFileAsync(path);

        Assert.Empty(replay.Events);
        Assert.Equal(0, replay.BadLines);
    }

    [Fact]
    public async Task Lines_larger_than_the_read_buffer_are_read_whole()
    {
        using var folder = TempFolder.ForCaller();
        var path = WriteLines(folder, Valid(1), Valid(2, padding: 700_000), Valid(3, padding: 1_500_000), Valid(4));

        var replay = await ReplayFileAsync(path);

        Assert.Equal([1, 2, 3, 4], replay.Events.Select(N));
        Assert.Equal(1_500_000, ((string)replay.Events[2].Fields!["pad"]!).Length);
    }

    [Fact]
    public async Task Many_small_lines_arrive_complete_and_in_order()
    {
        using var folder = TempFolder.ForCaller();
        var path = WriteLines(folder, [.. Enumerable.Range(0, 20_000).Select(i => Valid(i))]);

        var replay = await ReplayFileAsync(path);

        Assert.Equal(Enumerable.Range(0, 20_000), replay.Events.Select(N));
    }

    [Fact]
    public async Task A_line_over_the_limit_is_a_bad_line_and_the_next_line_still_arrives()
    {
        using var folder = TempFolder.ForCaller();
        var path = WriteLines(folder, Valid(1), Valid(2, padding: 5_000), Valid(3));

        var replay = await ReplayAsync(new ReplayOptions { Path = path, MaxLineBytes = 1_000 });

        Assert.Equal([1, 3], replay.Events.Select(N));
        Assert.Equal(1, replay.BadLines);
        var warning = Assert.Single(replay.Warnings);
        Assert.Contains(":2: skipped bad line", warning, StringComparison.Ordinal);
        Assert.Contains("longer than 1000 bytes", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_last_line_over_the_limit_without_newline_is_a_bad_line()
    {
        using var folder = TempFolder.ForCaller();
        var path = WriteBytes(folder, Encoding.UTF8.GetBytes(Valid(1) + "\n" + new string('x', 50_000)));

        var replay = await ReplayAsync(new ReplayOptions { Path = path, MaxLineBytes = 1_000 });

        Assert.Equal([1], replay.Events.Select(N));
        Assert.Equal(1, replay.BadLines);
    }
}

/// <summary>Memory use is measured process-wide, so nothing else may run meanwhile.</summary>
[CollectionDefinition(nameof(MemoryMeasurement), DisableParallelization = true)]
public sealed class MemoryMeasurement
{
}

[Collection(nameof(MemoryMeasurement))]
public sealed class ReplayLongLineMemoryTests
{
    [Fact]
    public async Task A_huge_line_is_skipped_without_being_held_in_memory()
    {
        const int lineBytes = 256 * 1024 * 1024;
        var before = Encoding.UTF8.GetBytes(RunnerHarness.Line(Some.JsonEvent("test", new() { ["n"] = 1 })) + "\n");
        var after = Encoding.UTF8.GetBytes("\n" + RunnerHarness.Line(Some.JsonEvent("test", new() { ["n"] = 3 })) + "\n");
        using var input = new HugeLineStream(before, lineBytes, after);

        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var replay = await ReplayAsync(new ReplayOptions { Path = "-", MaxLineBytes = 1024 * 1024 }, standardInput: () => input);
        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;

        Assert.Equal([1, 3], replay.Events.Select(e => (int)e.Fields!["n"]!));
        Assert.Equal(1, replay.BadLines);
        Assert.Contains(":2: skipped bad line", Assert.Single(replay.Warnings), StringComparison.Ordinal);
        Assert.True(allocated < 32 * 1024 * 1024, $"replaying a {lineBytes >> 20} MiB line allocated {allocated >> 20} MiB");
    }

    /// <summary>A stream of some bytes, then a long run of 'x' made up as it is read, then some more bytes.</summary>
    private sealed class HugeLineStream(byte[] before, long filler, byte[] after) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => before.Length + filler + after.Length;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var written = 0;
            while (written < buffer.Length && _position < Length)
            {
                var target = buffer[written..];
                int n;
                if (_position < before.Length)
                {
                    n = Math.Min(target.Length, before.Length - (int)_position);
                    before.AsSpan((int)_position, n).CopyTo(target);
                }
                else if (_position < before.Length + filler)
                {
                    n = (int)Math.Min(target.Length, before.Length + filler - _position);
                    target[..n].Fill((byte)'x');
                }
                else
                {
                    var at = (int)(_position - before.Length - filler);
                    n = Math.Min(target.Length, after.Length - at);
                    after.AsSpan(at, n).CopyTo(target);
                }
                written += n;
                _position += n;
            }
            return written;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Read(buffer, offset, count));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
