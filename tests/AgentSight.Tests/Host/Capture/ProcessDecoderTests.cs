using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Host.Capture;

namespace AgentSight.Tests.Capture;

/// <summary>How process records become <c>process</c> events (docs/EVENTS.md).</summary>
public sealed class ProcessDecoderTests
{
    private readonly List<AgentEvent> _events = [];
    private readonly List<int> _execs = [];
    private readonly ProcessCounters _counters = new();

    private ProcessDecoder Decoder() => new(new BootClock(), new CommNames(), _events.Add, new ProcessHooks { Exec = (pid, _, _) => _execs.Add(pid) }, _counters);

    private static JsonObject Fields(AgentEvent evt) => evt.Fields!;

    [Fact]
    public void Exec_carries_the_path_and_every_argument_even_with_spaces_quotes_and_unicode()
    {
        var decoder = Decoder();
        string[] argv = ["python3", "-c", "print(\"héllo wörld\")", "", "--flag=a b"];

        decoder.OnRecord(Records.Exec(77, "/usr/bin/python3", argv));

        var evt = Assert.Single(_events);
        Assert.Equal(("process", 77, "python3"), (evt.Source, evt.Pid, evt.Comm));
        Assert.Equal("EXEC", (string?)Fields(evt)["event"]);
        Assert.Equal("/usr/bin/python3", (string?)Fields(evt)["filename"]);
        Assert.Equal(argv, Fields(evt)["argv"]!.AsArray().Select(a => (string)a!));
        Assert.Equal(1000, (int)Fields(evt)["uid"]!);
        Assert.Null(Fields(evt)["argv_truncated"]);
        Assert.Equal([77], _execs);
    }

    [Fact]
    public void Exec_with_an_argument_area_larger_than_captured_says_it_was_cut()
    {
        var decoder = Decoder();

        decoder.OnRecord(Records.Exec(78, "/bin/echo", ["echo", "aaaa"], fullArgs: 100_000));

        Assert.True((bool)Fields(Assert.Single(_events))["argv_truncated"]!);
    }

    [Fact]
    public void Exit_gives_the_code_or_the_signal_and_the_time_since_exec()
    {
        var decoder = Decoder();

        decoder.OnRecord(Records.Exec(80, "/bin/sh", ["sh"], ts: 1_000_000_000));
        decoder.OnRecord(Records.Exit(80, 3 << 8, ts: 1_250_500_000));
        decoder.OnRecord(Records.Exit(81, 15, ts: 2_000_000_000));
        decoder.OnRecord(Records.Exit(82, 0x80 | 11, ts: 2_000_000_000));
        decoder.ReleaseHeld();

        var normal = Fields(_events[1]);
        Assert.Equal((3, true, false), ((int)normal["exit_code"]!, normal["signal"] is null, (bool)normal["core_dumped"]!));
        Assert.Equal(250.5, (double)normal["duration_ms"]!);
        var killed = Fields(_events[2]);
        Assert.Equal((143, 15), ((int)killed["exit_code"]!, (int)killed["signal"]!));
        Assert.Null(killed["duration_ms"]);
        var crashed = Fields(_events[3]);
        Assert.Equal((139, 11, true), ((int)crashed["exit_code"]!, (int)crashed["signal"]!, (bool)crashed["core_dumped"]!));
    }

    [Fact]
    public void An_exit_waits_for_the_rings_to_be_drained_and_what_follows_it_keeps_its_order()
    {
        var decoder = Decoder();

        decoder.OnRecord(Records.Open(90, "/etc/hostname", 3));
        decoder.OnRecord(Records.Exit(90, 0, ts: 2_000_000_000));
        decoder.OnRecord(Records.Open(91, "/etc/hosts", 4));
        var beforeRelease = _events.Count;
        decoder.ReleaseHeld();

        Assert.Equal(1, beforeRelease);
        Assert.Equal(["FILE_OPEN", "EXIT", "FILE_OPEN"], _events.Select(e => (string)Fields(e)["event"]!));
        Assert.Equal([90, 90, 91], _events.Select(e => e.Pid));
        decoder.ReleaseHeld();
        Assert.Equal(3, _events.Count);
    }

    [Fact]
    public void File_open_gives_the_fd_or_the_error_by_name()
    {
        var decoder = Decoder();

        decoder.OnRecord(Records.Open(90, "/etc/hostname", 3));
        decoder.OnRecord(Records.Open(90, "missing.txt", -2, flags: 0x241, syscall: 1));

        var opened = Fields(_events[0]);
        Assert.Equal(("FILE_OPEN", "/etc/hostname", 3, "openat"), ((string?)opened["event"], (string?)opened["filepath"], (int)opened["fd"]!, (string?)opened["syscall"]));
        Assert.Null(opened["error"]);
        var failed = Fields(_events[1]);
        Assert.Equal(("ENOENT", 2, 0x241L, "openat2"), ((string?)failed["error"], (int)failed["errno"]!, (long)failed["flags"]!, (string?)failed["syscall"]));
        Assert.Null(failed["fd"]);
    }

    [Fact]
    public void Fork_names_the_parent()
    {
        var decoder = Decoder();

        decoder.OnRecord(Records.Fork(101, 100));

        var evt = Assert.Single(_events);
        Assert.Equal((101, "FORK", 100), (evt.Pid, (string?)Fields(evt)["event"], (int)Fields(evt)["ppid"]!));
    }

    [Fact]
    public void Without_an_output_only_execs_are_reported_for_tls_discovery()
    {
        var decoder = new ProcessDecoder(new BootClock(), new CommNames(), emit: null, new ProcessHooks { Exec = (pid, _, _) => _execs.Add(pid) }, _counters);

        decoder.OnRecord(Records.Exec(5, "/usr/bin/node", ["node"]));
        decoder.OnRecord(Records.Open(5, "/etc/hosts", 4));

        Assert.Empty(_events);
        Assert.Equal([5], _execs);
    }
}
