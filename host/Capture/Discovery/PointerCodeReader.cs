using Iced.Intel;

namespace AgentSight.Host.Capture.Discovery;

/// <summary>Feeds Iced's decoder from a range of a memory-mapped image, without copying it.</summary>
internal sealed unsafe class PointerCodeReader(byte* start, int length) : CodeReader
{
    private int _position;

    public override int ReadByte() => _position < length ? start[_position++] : -1;
}
