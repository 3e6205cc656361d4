using System.Text.Json;

namespace AgentSight.Plugins.Sse.Accumulators;

/// <summary>A stream of no known provider: events are kept, nothing is accumulated; a <c>[DONE]</c> still ends it.</summary>
internal sealed class PlainAccumulator : StreamAccumulator
{
    public override string Provider => Providers.Unknown;

    public override bool HasEndMarker => false;

    public override EventEffect OnEvent(string? eventType, JsonElement? json, ReadOnlySpan<byte> data) =>
        json is null && data.SequenceEqual("[DONE]"u8) ? EventEffect.End : EventEffect.None;
}
