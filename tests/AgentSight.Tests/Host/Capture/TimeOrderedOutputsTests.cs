using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Host.Capture;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Capture;

/// <summary>
/// The capture's events leave in the order of their timestamps across rings: a process record read in a later pass
/// than TLS records made after it no longer comes out after them (the trace analyzer put a real agent's command under
/// the run instead of its tool when it did).
/// </summary>
public sealed class TimeOrderedOutputsTests
{
    private readonly List<(string Source, long Timestamp)> _out = [];
    private readonly TimeOrderedOutputs _ordered = new();
    private readonly CaptureOutputs _outputs;

    public TimeOrderedOutputsTests()
    {
        _outputs = _ordered.Wrap(new CaptureOutputs
        {
            Tls = e => _out.Add(("ssl", e.Timestamp)),
            Process = e => _out.Add(("process", e.Timestamp)),
            Network = e => _out.Add(("network", e.Timestamp)),
        });
    }

    private static AgentEvent At(long ms, string source) =>
        new(Some.Epoch + (ms * 1_000_000), source, 1, 1, "agent", new JsonPayload(new JsonObject()));

    private static long Ms(long ms) => Some.Epoch + (ms * 1_000_000);

    [Fact]
    public void A_pass_hands_on_what_it_read_in_time_order_whatever_ring_it_came_from()
    {
        // A pass that began at 458 ms read the process ring, then the TLS ring, which by then held records of 485 and
        // 492 ms. The process record of 459 ms was written after its ring was read: the next pass reads it.
        _outputs.Process!(At(400, EventSources.Process));
        _outputs.Tls!(At(485, EventSources.Ssl));
        _outputs.Tls!(At(492, EventSources.Ssl));
        _ordered.Release(Ms(458));
        Assert.Equal([("process", Ms(400))], _out);
        _outputs.Process!(At(459, EventSources.Process));
        _outputs.Network!(At(501, EventSources.Network));
        _ordered.Release(Ms(550));

        Assert.Equal([("process", Ms(400)), ("process", Ms(459)), ("ssl", Ms(485)), ("ssl", Ms(492)), ("network", Ms(501))], _out);
    }

    [Fact]
    public void What_is_stamped_after_the_pass_began_waits_for_the_next_pass_and_comes_out_in_order()
    {
        _outputs.Tls!(At(520, EventSources.Ssl));
        _outputs.Process!(At(480, EventSources.Process));
        _ordered.Release(Ms(500));
        Assert.Equal([("process", Ms(480))], _out);

        // Read in the next pass, stamped before the one held: handed on ahead of it.
        _outputs.Process!(At(510, EventSources.Process));
        _ordered.Release(Ms(550));
        Assert.Equal([("process", Ms(480)), ("process", Ms(510)), ("ssl", Ms(520))], _out);
        Assert.Equal(0, _ordered.Count);
    }

    [Fact]
    public void Events_with_one_timestamp_keep_the_order_they_were_made_in()
    {
        _outputs.Tls!(At(100, EventSources.Ssl));
        _outputs.Process!(At(100, EventSources.Process));
        _outputs.Network!(At(100, EventSources.Network));
        _ordered.Release(Ms(100));

        Assert.Equal(["ssl", "process", "network"], _out.Select(o => o.Source));
    }

    [Fact]
    public void Nothing_waits_more_than_two_passes_and_the_end_hands_on_everything()
    {
        // Stamped far ahead (a clock step between the record and the mark): held two passes, not forever.
        _outputs.Tls!(At(60_000, EventSources.Ssl));
        _outputs.Process!(At(70_000, EventSources.Process));
        _ordered.Release(Ms(100));
        _ordered.Release(Ms(150));
        Assert.Empty(_out);
        _ordered.Release(Ms(200));
        Assert.Equal([("ssl", Ms(60_000)), ("process", Ms(70_000))], _out);

        _outputs.Tls!(At(90_000, EventSources.Ssl));
        _ordered.ReleaseAll();
        Assert.Equal(("ssl", Ms(90_000)), _out[^1]);
        Assert.Equal(0, _ordered.Count);
    }

    [Fact]
    public void A_pass_that_reads_more_than_it_may_hold_hands_on_the_older_half_at_once()
    {
        // Made newest first, so the older half is the one made last.
        for (var i = TimeOrderedOutputs.MaxHeld; i > 0; i--)
        {
            _outputs.Process!(At(i, EventSources.Process));
        }

        Assert.Equal(TimeOrderedOutputs.MaxHeld / 2, _out.Count);
        Assert.Equal(Enumerable.Range(1, TimeOrderedOutputs.MaxHeld / 2).Select(i => Ms(i)), _out.Select(o => o.Timestamp));
        Assert.Equal(TimeOrderedOutputs.MaxHeld / 2, _ordered.Count);
    }

    [Fact]
    public void A_pass_that_reads_more_data_than_it_may_hold_hands_on_the_older_half_at_once()
    {
        const int size = 1024 * 1024;
        var calls = (int)(TimeOrderedOutputs.MaxHeldBytes / size);
        for (var i = calls; i > 0; i--)
        {
            _outputs.Tls!(new AgentEvent(Ms(i), EventSources.Ssl, 1, 1, "agent", new TlsPayload(TlsDirection.Write, new byte[size], size)));
        }

        Assert.Equal(Enumerable.Range(1, calls / 2).Select(i => Ms(i)), _out.Select(o => o.Timestamp));
        Assert.Equal(calls / 2, _ordered.Count);
    }
}
