using AgentSight.Plugins.SslFilter;
using AgentSight.Tests.Support;
using static AgentSight.Tests.Analyzers.SslFilter.SslFilterHarness;

namespace AgentSight.Tests.Analyzers.SslFilter;

/// <summary>The original <c>record</c> command's ssl filter, as a preset.</summary>
public sealed class SslFilterPresetTests
{
    [Fact]
    public void The_record_preset_drops_bare_terminators_and_binary_and_keeps_llm_text()
    {
        var terminator = Read("0\r\n\r\n");
        var http2 = Bytes([0x00, 0x00, 0x12, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00]);
        var sse = Read("7f\r\nevent: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"delta\":{\"text\":\"Hi\"}}\n\n\r\n");
        var json = Read("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n{\"id\":\"msg_01\",\"content\":[]}");

        var kept = Run(new SslFilterConfig { Presets = ["record"] }, new TestStageContext(), terminator, http2, sse, json);

        Assert.Equal([sse, json], kept);
    }

    [Theory]
    [InlineData(new string[0], new string[0], true)]
    [InlineData(new[] { "is_handshake=true" }, new string[0], false)]
    [InlineData(new string[0], new[] { "record" }, false)]
    public void Only_a_filter_without_expressions_asks_to_be_left_out_of_the_event_path(string[] patterns, string[] presets, bool passesEverything)
    {
        var filter = new SslFilterFactory().Create(new SslFilterConfig { Patterns = [.. patterns], Presets = [.. presets] }, new TestStageContext());

        Assert.Equal(passesEverything, filter.PassesEverything);
    }

    [Fact]
    public void Presets_and_patterns_add_up()
    {
        var kept = Run(new SslFilterConfig { Presets = ["record"], Patterns = ["data~drop me"] }, new TestStageContext(),
            Read("drop me"), Read("0\r\n\r\n"), Read("keep me"));

        Assert.Equal("keep me", System.Text.Encoding.UTF8.GetString(((AgentSight.Contracts.TlsPayload)Assert.Single(kept).Data).Bytes.Span));
    }
}
