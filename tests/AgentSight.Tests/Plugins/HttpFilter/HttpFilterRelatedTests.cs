using AgentSight.Plugins.HttpFilter;
using AgentSight.Tests.Support;
using static AgentSight.Tests.Analyzers.HttpFilter.HttpEvents;
using static AgentSight.Tests.Analyzers.HttpFilter.HttpFilterHarness;

namespace AgentSight.Tests.Analyzers.HttpFilter;

/// <summary>A dropped exchange takes its stream and LLM events with it; the presets.</summary>
public sealed class HttpFilterRelatedTests
{
    [Fact]
    public void The_sse_and_llm_events_of_a_dropped_exchange_are_dropped_too()
    {
        var context = new TestStageContext();
        var dropped = Exchange("1:0x1:1", path: "/v1/rgstr");
        var kept = Exchange("1:0x1:2");
        var events = new[]
        {
            dropped, Follower("sse", "1:0x1:1"), Follower("llm", "1:0x1:1"),
            kept, Follower("sse", "1:0x1:2"), Follower("llm", "1:0x1:2"),
        };

        var output = Run(new HttpFilterConfig { Patterns = ["rgstr"] }, context, events);

        Assert.Equal(events[3..], output);
        Assert.Equal(1, context.CounterValue("dropped"));
        Assert.Equal(2, context.CounterValue("dropped_related"));
        Assert.Equal(2, context.CounterValue("evaluated"));
    }

    [Fact]
    public void With_drop_related_off_only_the_exchange_is_dropped()
    {
        var events = new[] { Exchange("1:0x1:1", path: "/v1/rgstr"), Follower("sse", "1:0x1:1"), Follower("llm", "1:0x1:1") };

        var output = Run(new HttpFilterConfig { Patterns = ["rgstr"], DropRelated = false }, events);

        Assert.Equal(events[1..], output);
    }

    [Fact]
    public void Remembered_ids_are_bounded_and_the_oldest_is_forgotten_first()
    {
        var context = new TestStageContext();
        var config = new HttpFilterConfig { Patterns = ["rgstr"], RelatedCapacity = 2 };
        var events = new[]
        {
            Exchange("a", path: "/rgstr"), Exchange("b", path: "/rgstr"), Exchange("c", path: "/rgstr"),
            Follower("sse", "a"), Follower("sse", "b"), Follower("sse", "c"),
        };

        var output = Run(config, context, events);

        Assert.Equal([events[3]], output);
        Assert.Equal(1, context.CounterValue("related_ids_forgotten"));
    }

    [Fact]
    public void The_record_preset_keeps_llm_answers_and_drops_telemetry_probes_and_empty_answers()
    {
        var streamed = StreamedAnswer("s");
        var json = Exchange("j", path: "/v1/chat/completions", host: "api.openai.com",
            responseBody: "{\"id\":\"chatcmpl-1\",\"choices\":[{\"message\":{\"content\":\"Hi\"}}]}");
        var telemetry = Exchange("t", path: "/v1/rgstr", status: 202, reason: "Accepted", responseBody: "{\"success\":true}");
        var accepted = Exchange("a", path: "/v1/other", status: 202, reason: "Accepted", responseBody: "queued");
        var head = Exchange("h", method: "HEAD", path: "/", responseBody: null);
        var empty = Exchange("e", path: "/api/event", status: 200, responseBody: "");
        var events = new[]
        {
            streamed, Follower("sse", "s"), Follower("llm", "s"), json, Follower("llm", "j"),
            telemetry, accepted, head, empty, Follower("llm", "e"),
        };

        var output = Run(new HttpFilterConfig { Presets = ["record"] }, events);

        Assert.Equal(events[..5], output);
    }

    [Fact]
    public void The_record_preset_is_the_original_expression()
    {
        Assert.Equal("request.path_prefix=/v1/rgstr | response.status_code=202 | request.method=HEAD | response.body=", HttpFilterPresets.Record);
    }
}
