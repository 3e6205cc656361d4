using System.Text;
using AgentSight.Plugins.Sse;
using CsCheck;

namespace AgentSight.Tests.Analyzers.Sse;

/// <summary>The event-stream parser follows the WHATWG rules, whatever the pieces its input comes in.</summary>
public sealed class SseParserTests
{
    private sealed class Sink : IEventSink
    {
        public List<(string? Type, string Data, string? Id, bool Cut)> Events { get; } = [];

        public int Comments { get; private set; }

        public void OnEvent(string? eventType, ReadOnlyMemory<byte> data, string? id, bool cut) =>
            Events.Add((eventType, Encoding.UTF8.GetString(data.Span), id, cut));

        public void OnComment() => Comments++;
    }

    private static Sink Parse(params string[] pieces) => Parse(pieces.Select(Encoding.UTF8.GetBytes).ToArray());

    private static Sink Parse(byte[][] pieces, int maxLine = 1 << 20, bool finish = true)
    {
        var sink = new Sink();
        var parser = new SseParser(maxLine);
        foreach (var piece in pieces)
        {
            parser.Feed(piece, sink);
        }
        if (finish)
        {
            parser.Finish(sink);
        }
        return sink;
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    [InlineData("\r")]
    public void Every_line_ending_gives_the_same_events(string nl)
    {
        var sink = Parse($"event: a{nl}data: one{nl}{nl}data: two{nl}{nl}");

        Assert.Equal([("a", "one"), (null, "two")], sink.Events.Select(e => (e.Type, e.Data)));
    }

    [Fact]
    public void A_carriage_return_at_the_end_of_a_piece_and_its_line_feed_in_the_next_end_one_line()
    {
        var sink = Parse("data: one\r", "\n\r", "\ndata: two\r\n\r\n");

        Assert.Equal(["one", "two"], sink.Events.Select(e => e.Data));
    }

    [Fact]
    public void Data_lines_are_joined_with_line_feeds_and_one_leading_space_is_stripped()
    {
        var sink = Parse("data:a\ndata:  b\ndata\ndata: c\n\n");

        Assert.Equal("a\n b\n\nc", Assert.Single(sink.Events).Data);
    }

    [Fact]
    public void Comments_and_unknown_fields_are_ignored_and_an_event_without_data_is_not_dispatched()
    {
        var sink = Parse(": OPENROUTER PROCESSING\n\nevent: ping\n\nretry: 10\nfoo: bar\ndata: x\n\n");

        Assert.Equal([(null, "x")], sink.Events.Select(e => (e.Type, e.Data)));
        Assert.Equal(1, sink.Comments);
    }

    [Fact]
    public void The_last_event_id_carries_over_to_later_events()
    {
        var sink = Parse("id: 7\ndata: a\n\ndata: b\n\nid: 8\ndata: c\n\n");

        Assert.Equal(["7", "7", "8"], sink.Events.Select(e => e.Id));
    }

    [Fact]
    public void A_byte_order_mark_is_dropped_even_when_split_but_only_at_the_start()
    {
        var bom = new byte[] { 0xEF, 0xBB, 0xBF };
        var sink = Parse([bom[..1], [.. bom[1..], .. "data: x\n\n"u8.ToArray()], [.. bom, .. "data: y\n\n"u8.ToArray()]]);

        // Later, the same bytes are part of a field name ("\uFEFFdata"), which is unknown and ignored.
        Assert.Equal("x", Assert.Single(sink.Events).Data);
    }

    [Fact]
    public void An_unterminated_last_event_is_kept_and_flagged()
    {
        var sink = Parse("data: whole\n\ndata: half");

        Assert.Equal([("whole", false), ("half", true)], sink.Events.Select(e => (e.Data, e.Cut)));
    }

    [Fact]
    public void A_line_longer_than_the_cap_is_cut_and_flagged()
    {
        var sink = Parse([Encoding.UTF8.GetBytes("data: " + new string('x', 5000) + "\n\ndata: next\n\n")], maxLine: 1000);

        Assert.Equal(2, sink.Events.Count);
        Assert.True(sink.Events[0].Cut);
        Assert.True(sink.Events[0].Data.Length < 1000);
        Assert.Equal("next", sink.Events[1].Data);
    }

    [Fact]
    public void Any_split_of_a_stream_gives_the_same_events()
    {
        var text = "event: message_start\r\ndata: {\"a\":\"é✓\"}\r\n\r\n: keep-alive\n\nid: 3\ndata: line1\ndata: line2\r\rdata: [DONE]\n\n";
        var bytes = Encoding.UTF8.GetBytes(text);
        var whole = Parse([bytes]).Events;

        Gen.Int[0, bytes.Length].Array[0, 12].Sample(cuts =>
        {
            var points = cuts.Distinct().Order().ToList();
            var pieces = new List<byte[]>();
            var start = 0;
            foreach (var p in points.Append(bytes.Length))
            {
                pieces.Add(bytes[start..p]);
                start = p;
            }
            Assert.Equal(whole, Parse([.. pieces]).Events);
        }, iter: 500);
    }
}
