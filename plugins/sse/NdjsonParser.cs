using AgentSight.Plugins.Common.Buffers;

namespace AgentSight.Plugins.Sse;

/// <summary>Newline-delimited JSON (Ollama's <c>application/x-ndjson</c>): each non-blank line is one event.</summary>
internal sealed class NdjsonParser(int maxLine) : StreamParser
{
    private readonly ByteBuffer _line = new();
    private bool _cut;

    public override long BufferedBytes => _line.Capacity;

    public override void Feed(ReadOnlySpan<byte> bytes, IEventSink sink)
    {
        while (!bytes.IsEmpty)
        {
            var lf = bytes.IndexOf((byte)'\n');
            if (lf < 0)
            {
                Append(bytes);
                return;
            }
            Append(bytes[..lf]);
            bytes = bytes[(lf + 1)..];
            Emit(sink, cut: _cut);
        }
    }

    public override void Finish(IEventSink sink) => Emit(sink, cut: true);

    public override void Discontinuity()
    {
        _line.Clear();
        _cut = false;
    }

    public override void Release() => _line.Release();

    private void Append(ReadOnlySpan<byte> bytes)
    {
        var room = maxLine - _line.Length;
        if (bytes.Length > room)
        {
            if (!_cut)
            {
                LinesCut++;
            }
            _cut = true;
            bytes = bytes[..Math.Max(0, room)];
        }
        _line.Append(bytes);
    }

    private void Emit(IEventSink sink, bool cut)
    {
        var line = _line.Memory;
        if (!line.IsEmpty && line.Span[^1] == (byte)'\r')
        {
            line = line[..^1];
        }
        if (!line.Span.Trim(" \t"u8).IsEmpty)
        {
            sink.OnEvent(null, line, null, cut);
        }
        _line.Clear();
        _cut = false;
    }
}
