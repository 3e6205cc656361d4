using System.IO.Pipelines;
using System.Text;
using AgentSight.Host.Pipeline;
using AgentSight.Host.Runners.Replay;
using AgentSight.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using static AgentSight.Tests.Runners.ReplayHarness;

namespace AgentSight.Tests.Runners;

/// <summary>Opening, stopping and pacing a replay.</summary>
public sealed class ReplayRunnerLifecycleTests
{
    private static string Valid(int n, long? timestamp = null) =>
        RunnerHarness.Line(Some.JsonEvent("test", new() { ["n"] = n }, timestamp: timestamp ?? Some.Epoch + n));

    [Fact]
    public async Task A_missing_file_fails_with_its_path_before_producing_anything()
    {
        using var folder = TempFolder.ForCaller();
        var path = folder.Combine("nope", "missing.jsonl");
        var target = new CollectingTarget();

        var error = await Assert.ThrowsAsync<FileNotFoundException>(() => ReplayAsync(new ReplayOptions { Path = path }, target: target));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Equal(path, error.FileName);
        Assert.Equal(0, target.Count);
    }

    [Fact]
    public async Task A_path_that_cannot_be_read_fails_with_an_IO_error_naming_it()
    {
        using var folder = TempFolder.ForCaller();

        var error = await Assert.ThrowsAnyAsync<IOException>(() => ReplayAsync(new ReplayOptions { Path = folder.Path }));

        Assert.Contains(folder.Path, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", 0)]
    [InlineData("x.jsonl", -1)]
    [InlineData("x.jsonl", double.NaN)]
    public void Invalid_options_are_refused_when_the_runner_is_made(string path, double speed)
    {
        var error = Assert.Throws<ArgumentException>(() =>
            new ReplayRunner(new ReplayOptions { Path = path, Speed = speed }, new EventTimeClock(), new RecordingLogger<ReplayRunner>()));

        Assert.StartsWith("replay:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stopping_midway_returns_normally_and_keeps_every_event_handed_over()
    {
        using var folder = TempFolder.ForCaller();
        var path = WriteLines(folder, [.. Enumerable.Range(0, 5_000).Select(i => Valid(i))]);
        using var stop = new CancellationTokenSource();
        var target = new CollectingTarget { AfterWrite = count => { if (count == 3) stop.Cancel(); } };

        var replay = await ReplayAsync(new ReplayOptions { Path = path }, target: target, stop: stop.Token);

        Assert.Equal([0, 1, 2], replay.Events.Select(e => (int)e.Fields!["n"]!));
        Assert.Equal(3, replay.Produced);
        Assert.Equal(Some.Epoch + 2, replay.Clock.Now);
        Assert.Contains(replay.Information, m => m.Contains("stopped after 3 events", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Stopping_while_waiting_for_input_returns_promptly_with_what_was_read()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Encoding.UTF8.GetBytes(Valid(1) + "\n"));
        var target = new CollectingTarget();
        using var stop = new CancellationTokenSource();
        var log = new RecordingLogger<ReplayRunner>();
        var runner = new ReplayRunner(new ReplayOptions { Path = "-" }, new EventTimeClock(), log, openStandardInput: () => pipe.Reader.AsStream());

        var run = RunnerHarness.RunAsync(runner, target, stop.Token);
        await target.WaitForCountAsync(1);
        await stop.CancelAsync();
        var finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(10)));

        Assert.Same(run, finished);
        await run;
        Assert.Equal(1, Assert.Single(target.Events).Fields!["n"]!.GetValue<int>());
        await pipe.Writer.CompleteAsync();
    }

    [Fact]
    public async Task Stopping_returns_promptly_even_when_standard_input_ignores_cancellation()
    {
        // Standard input on Unix blocks in read(2) whatever the token says.
        using var input = new DeafStream(Encoding.UTF8.GetBytes(Valid(1) + "\n"));
        var target = new CollectingTarget();
        using var stop = new CancellationTokenSource();
        var runner = new ReplayRunner(new ReplayOptions { Path = "-" }, new EventTimeClock(), new RecordingLogger<ReplayRunner>(), openStandardInput: () => input);

        var run = RunnerHarness.RunAsync(runner, target, stop.Token);
        await target.WaitForCountAsync(1);
        await stop.CancelAsync();
        var finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(10)));

        Assert.Same(run, finished);
        await run;
        Assert.Single(target.Events);
        input.Release();
    }

    [Fact]
    public async Task A_replay_that_is_stopped_before_it_starts_produces_nothing()
    {
        using var folder = TempFolder.ForCaller();
        var path = WriteLines(folder, Valid(1), Valid(2));
        using var stop = new CancellationTokenSource();
        await stop.CancelAsync();

        var replay = await ReplayAsync(new ReplayOptions { Path = path }, stop: stop.Token);

        Assert.Empty(replay.Events);
    }

    [Fact]
    public async Task Speed_paces_events_by_their_recorded_spacing()
    {
        using var folder = TempFolder.ForCaller();
        var path = WriteLines(folder, Valid(0, Some.Epoch), Valid(1, Some.Epoch + 1_000_000_000), Valid(2, Some.Epoch + 3_000_000_000));
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddTicks(Some.Epoch / 100));
        var target = new CollectingTarget();
        var runner = new ReplayRunner(new ReplayOptions { Path = path, Speed = 2 }, new EventTimeClock(), new RecordingLogger<ReplayRunner>(), time);

        var run = RunnerHarness.RunAsync(runner, target);
        await target.WaitForCountAsync(1);

        // One second of recording at speed 2 is half a second of replay; the next two seconds, one more. Never early;
        // late by less than a quarter of a second (the runner may start waiting a few steps after the clock moved), so
        // speed 1 (1,000 and 3,000 ms) fails.
        Assert.InRange(await AdvanceUntilAsync(time, target, 2), 500, 740);
        Assert.InRange(await AdvanceUntilAsync(time, target, 3), 1_500, 1_740);
        await run;
    }

    /// <summary>
    /// Moves the fake clock on 10 ms at a time, letting the runner run in between, until <paramref name="count"/>
    /// events have come out; returns the fake time since the first event then, in ms. In steps, because the runner
    /// may start waiting a little after the test moved the clock (a single jump raced it on a loaded machine).
    /// </summary>
    private static async Task<int> AdvanceUntilAsync(FakeTimeProvider time, CollectingTarget target, int count)
    {
        var elapsed = (int)(time.GetUtcNow() - DateTimeOffset.UnixEpoch.AddTicks(Some.Epoch / 100)).TotalMilliseconds;
        while (target.Count < count && elapsed < 10_000)
        {
            time.Advance(TimeSpan.FromMilliseconds(10));
            elapsed += 10;
            await Task.Delay(5);
        }
        await target.WaitForCountAsync(count);
        return elapsed;
    }

    [Fact]
    public async Task Without_a_speed_events_are_not_held_back()
    {
        using var folder = TempFolder.ForCaller();
        var path = WriteLines(folder, Valid(0, Some.Epoch), Valid(1, Some.Epoch + 3_600_000_000_000));
        var time = new FakeTimeProvider();

        var replay = await ReplayAsync(new ReplayOptions { Path = path }, time);

        Assert.Equal(2, replay.Events.Count);
    }

    [Fact]
    public async Task Standard_input_is_read_when_the_path_is_a_dash()
    {
        using var input = new MemoryStream(Encoding.UTF8.GetBytes(Valid(1) + "\r\n" + Valid(2)));

        var replay = await ReplayAsync(new ReplayOptions { Path = "-" }, standardInput: () => input);

        Assert.Equal([1, 2], replay.Events.Select(e => (int)e.Fields!["n"]!));
        Assert.Contains(replay.Information, m => m.Contains("<stdin>", StringComparison.Ordinal));
    }

    /// <summary>Returns its bytes, then blocks until released, ignoring cancellation, as a read of an idle terminal does.</summary>
    private sealed class DeafStream(byte[] first) : Stream
    {
        private readonly TaskCompletionSource<int> _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private bool _sent;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public void Release() => _released.TrySetResult(0);

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (!_sent)
            {
                _sent = true;
                first.CopyTo(buffer);
                return first.Length;
            }
            return await _released.Task;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
