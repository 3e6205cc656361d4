using AgentSight.Contracts;
using AgentSight.Plugins.SslFilter.Expressions;
using static AgentSight.Tests.Analyzers.SslFilter.SslFilterHarness;

namespace AgentSight.Tests.Analyzers.SslFilter;

/// <summary>The original's expression syntax, rule by rule: what its users' filters do here.</summary>
public sealed class SslFilterGrammarTests
{
    [Fact]
    public void The_original_chunk_terminator_example_drops_exactly_the_bare_terminator()
    {
        // Typed with literal backslashes, as on the original's command line; the filter turns them into CR and LF.
        const string expression = @"data=0\r\n\r\n";

        Assert.True(Drops(expression, Read("0\r\n\r\n")));
        Assert.False(Drops(expression, Read("5\r\nhello\r\n0\r\n\r\n")));
        Assert.False(Drops(expression, Read(@"0\r\n\r\n")));
    }

    [Fact]
    public void The_original_small_or_slow_example_drops_either()
    {
        const string expression = "len<10|latency_ms>100";

        Assert.True(Drops(expression, Read("tiny")));
        Assert.True(Drops(expression, WithLatency("a long enough payload", 150)));
        Assert.False(Drops(expression, WithLatency("a long enough payload", 0.214)));
    }

    [Fact]
    public void The_original_grouped_example_needs_a_direction_and_gzip()
    {
        const string expression = "(function=READ/RECV|function=WRITE/SEND)&data~gzip";

        Assert.True(Drops(expression, Read("accept-encoding: gzip")));
        Assert.True(Drops(expression, Write("accept-encoding: gzip")));
        Assert.False(Drops(expression, Read("accept-encoding: br")));
        Assert.False(Drops(expression, Handshake()));
    }

    [Fact]
    public void And_binds_tighter_than_or()
    {
        // a & b | c  is  (a & b) | c
        const string expression = "data~alpha & data~beta | data~gamma";

        Assert.True(Drops(expression, Read("alpha beta")));
        Assert.True(Drops(expression, Read("gamma")));
        Assert.False(Drops(expression, Read("alpha gamm")));
        Assert.False(Drops(expression, Read("beta")));
    }

    [Fact]
    public void Parentheses_group_an_or_under_an_and()
    {
        const string expression = "data~alpha & (data~beta | data~gamma)";

        Assert.True(Drops(expression, Read("alpha gamma")));
        Assert.False(Drops(expression, Read("gamma")));
        Assert.True(Drops("((data~alpha))", Read("alpha")));
    }

    [Theory]
    [InlineData(@"data=a\tb", "a\tb")]
    [InlineData(@"data=a\\b", @"a\b")]
    [InlineData(@"data=say \""hi\""", "say \"hi\"")]
    [InlineData(@"data=line\r\n", "line\r\n")]
    [InlineData(@"data=a\|b", "a|b")]
    [InlineData(@"data=a\&b", "a&b")]
    [InlineData(@"data=\(x\)", "(x)")]
    public void Escapes_stand_for_their_characters(string expression, string payload)
    {
        Assert.True(Drops(expression, Read(payload)));
    }

    [Fact]
    public void Unknown_escapes_and_a_trailing_backslash_stay_as_written()
    {
        Assert.True(Drops(@"data=a\qb", Read(@"a\qb")));
        Assert.True(Drops(@"data=end\", Read(@"end\")));
    }

    [Fact]
    public void Values_are_trimmed_and_spaces_around_operators_are_allowed()
    {
        Assert.True(Drops("  comm   =   claude  ", Read("x", comm: "claude")));
        Assert.True(Drops("len >= 4", Read("four")));
    }

    [Fact]
    public void Every_operator_on_text_fields()
    {
        var evt = Read("GET /v1/models HTTP/1.1", comm: "claude");

        Assert.True(Drops("comm=claude", evt));
        Assert.False(Drops("comm!=claude", evt));
        Assert.True(Drops("comm~lau", evt));
        Assert.True(Drops("data^=GET ", evt));
        Assert.False(Drops("data^=POST", evt));
        Assert.True(Drops("data$=HTTP/1.1", evt));
        Assert.True(Drops("function=READ/RECV", evt));
        Assert.True(Drops("conn_id=0x558100001000", evt));
    }

    [Fact]
    public void Every_operator_on_numbers()
    {
        var evt = Read("0123456789"); // len 10, pid 4242, tid 4250, uid 1000, latency 0.214 ms

        Assert.True(Drops("len=10", evt));
        Assert.True(Drops("len!=11", evt));
        Assert.True(Drops("len>9", evt));
        Assert.False(Drops("len>10", evt));
        Assert.True(Drops("len>=10", evt));
        Assert.True(Drops("len<=10", evt));
        Assert.False(Drops("len<10", evt));
        Assert.True(Drops("pid=4242 & tid=4250 & uid=1000", evt));
        Assert.True(Drops($"timestamp_ns={AgentSight.Tests.Support.Some.Epoch}", evt));
        Assert.True(Drops("latency_ms=0.214", evt));
        Assert.True(Drops("latency_ms<0.3", evt));
        Assert.True(Drops("bytes_lost=0", evt));
    }

    [Fact]
    public void Booleans_honour_equal_and_not_equal()
    {
        // The original ignored the operator: is_handshake!=true behaved like is_handshake=true.
        Assert.True(Drops("is_handshake!=true", Read("data")));
        Assert.False(Drops("is_handshake!=true", Handshake()));
        Assert.True(Drops("is_handshake=true", Handshake()));
        Assert.True(Drops("is_handshake=false", Read("data")));
        Assert.True(Drops("truncated=true", Truncated("cut", 75_712)));
        Assert.False(Drops("truncated!=false", Read("whole")));
        Assert.True(Drops("bytes_lost>1000", Truncated("cut", 75_712)));
    }

    [Fact]
    public void A_data_condition_never_matches_an_event_without_bytes()
    {
        Assert.False(Drops("data!=anything", Handshake()));
        Assert.False(Drops("data.type=text", Handshake()));
        Assert.True(Drops("function=HANDSHAKE & latency_ms>5", Handshake()));
    }

    [Fact]
    public void Data_type_tells_text_from_binary_as_the_json_shows_it()
    {
        var gzip = Bytes([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03]);

        Assert.True(Drops("data.type=binary", gzip));
        Assert.False(Drops("data.type=binary", Read("data: {\"a\":1}\n\n")));
        Assert.True(Drops("data.type=text", Read("café ✓")));
        Assert.True(Drops("data.type!=text", Bytes([0x41, 0xff, 0x42])));
    }

    [Fact]
    public void Binary_payloads_compare_as_bytes_and_hex_values_name_bytes()
    {
        var gzip = Bytes([0x1f, 0x8b, 0x08, 0x00, 0x41, 0x42]);

        Assert.True(Drops("data^=HEX:1f8b08", gzip));
        Assert.True(Drops("data~AB", gzip));
        Assert.False(Drops("data^=HEX:1f8b09", gzip));
        // Text is matched against the payload's bytes even when other bytes are not valid UTF-8.
        Assert.True(Drops("data~model", Bytes([0xff, 0xfe, .. Utf8("\"model\":1")])));
    }

    [Fact]
    public void Prefix_and_suffix_operators_work_on_bytes_with_multibyte_text()
    {
        Assert.True(Drops("data^=é", Read("été")));
        Assert.True(Drops("data$=✓", Read("done ✓")));
        Assert.False(Drops("data$=é", Read("été!")));
    }

    [Fact]
    public void The_parse_tree_shows_the_precedence()
    {
        var tree = SslExpressionParser.Parse("len<5 | comm=a & (pid=1 | pid=2)");

        Assert.Equal("(len<5 | (comm=a & (pid=1 | pid=2)))", tree.ToString());
    }

    [Fact]
    public void Non_ssl_events_pass_untouched_and_are_not_counted()
    {
        var context = new AgentSight.Tests.Support.TestStageContext();
        var process = AgentSight.Tests.Support.Some.JsonEvent("process");
        var http = AgentSight.Tests.Support.Some.JsonEvent("http");

        var output = Run(new AgentSight.Plugins.SslFilter.SslFilterConfig { Patterns = ["len>=0"] }, context, process, Read("x"), http);

        Assert.Equal([process, http], output);
        Assert.Equal(1, context.CounterValue("evaluated"));
        Assert.Equal(1, context.CounterValue("dropped"));
    }

    [Fact]
    public void Several_patterns_drop_an_event_matching_any_of_them_and_count_it_once()
    {
        var context = new AgentSight.Tests.Support.TestStageContext();
        var events = new[] { Read("alpha"), Read("beta"), Read("alpha beta"), Read("gamma") };

        var output = Run(new AgentSight.Plugins.SslFilter.SslFilterConfig { Patterns = ["data~alpha", "data~beta"] }, context, events);

        Assert.Equal([events[3]], output);
        Assert.Equal(4, context.CounterValue("evaluated"));
        Assert.Equal(3, context.CounterValue("dropped"));
    }

    [Fact]
    public void With_no_pattern_every_event_passes()
    {
        var events = new[] { Read("a"), Handshake(), Bytes([0, 1, 2]) };

        Assert.Equal(events, Run([], events));
    }
}
