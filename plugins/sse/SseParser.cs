using AgentSight.Plugins.Common.Buffers;

namespace AgentSight.Plugins.Sse;

/// <summary>
/// The WHATWG event-stream parser (HTML §9.2.6) over bytes: CRLF, LF or a lone CR end a line (a CR at the end of a
/// piece waits for the next byte), one leading BOM is dropped, <c>:</c> lines are comments, <c>data</c> lines are
/// joined with LF, a blank line dispatches. Field values are kept as bytes until an event is dispatched.
/// </summary>
internal sealed class SseParser(int maxLine) : StreamParser
{
    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];

    private readonly ByteBuffer _line = new();
    private readonly ByteBuffer _data = new();
    private readonly HashSet<string> _types = new(StringComparer.Ordinal);
    private bool _pendingCr;
    private int _bomSeen;
    private bool _started;
    private bool _lineCut;
    private bool _dataCut;
    private bool _hasData;
    private string? _eventType;
    private string? _lastId;

    public override long BufferedBytes => _line.Capacity + _data.Capacity;

    public override void Feed(ReadOnlySpan<byte> bytes, IEventSink sink)
    {
        var i = 0;
        if (!_started)
        {
            // Only the stream's very first bytes can be a BOM, possibly split across pieces.
            while (_bomSeen < 3 && i < bytes.Length && bytes[i] == Bom[_bomSeen])
            {
                _bomSeen++;
                i++;
            }
            if (_bomSeen == 3 || i < bytes.Length)
            {
                if (_bomSeen is > 0 and < 3)
                {
                    // Looked like a BOM and was not: those bytes were content.
                    AppendLine(Bom.AsSpan(0, _bomSeen));
                }
                _started = true;
            }
            else
            {
                return;
            }
        }
        if (_pendingCr)
        {
            _pendingCr = false;
            if (i < bytes.Length && bytes[i] == (byte)'\n')
            {
                i++;
            }
        }
        while (i < bytes.Length)
        {
            var end = bytes[i..].IndexOfAny((byte)'\r', (byte)'\n');
            if (end < 0)
            {
                AppendLine(bytes[i..]);
                return;
            }
            var line = bytes.Slice(i, end);
            i += end + 1;
            if (bytes[i - 1] == (byte)'\r')
            {
                if (i < bytes.Length)
                {
                    if (bytes[i] == (byte)'\n')
                    {
                        i++;
                    }
                }
                else
                {
                    _pendingCr = true;
                }
            }
            if (_line.Length > 0 || _lineCut)
            {
                AppendLine(line);
                Line(_line.Span, sink);
                _line.Clear();
            }
            else
            {
                Line(line, sink);
            }
            _lineCut = false;
        }
    }

    public override void Finish(IEventSink sink)
    {
        if (_line.Length > 0)
        {
            Line(_line.Span, sink);
            _line.Clear();
        }
        if (_hasData)
        {
            Dispatch(sink, cut: true);
        }
    }

    public override void Discontinuity()
    {
        _line.Clear();
        _data.Clear();
        _hasData = false;
        _eventType = null;
        _pendingCr = false;
        _lineCut = false;
        _dataCut = false;
    }

    public override void Release()
    {
        _line.Release();
        _data.Release();
    }

    private void AppendLine(ReadOnlySpan<byte> bytes)
    {
        var room = maxLine - _line.Length;
        if (bytes.Length > room)
        {
            if (!_lineCut)
            {
                LinesCut++;
            }
            _lineCut = true;
            bytes = bytes[..Math.Max(0, room)];
        }
        _line.Append(bytes);
    }

    private void Line(ReadOnlySpan<byte> line, IEventSink sink)
    {
        if (line.IsEmpty)
        {
            Dispatch(sink, cut: false);
            return;
        }
        if (line[0] == (byte)':')
        {
            sink.OnComment();
            return;
        }
        var colon = line.IndexOf((byte)':');
        var name = colon < 0 ? line : line[..colon];
        var value = colon < 0 ? default : line[(colon + 1)..];
        if (!value.IsEmpty && value[0] == (byte)' ')
        {
            value = value[1..];
        }
        if (name.SequenceEqual("data"u8))
        {
            var room = maxLine - _data.Length;
            if (value.Length + 1 > room)
            {
                _dataCut = true;
                LinesCut++;
                value = value[..Math.Max(0, room - 1)];
            }
            _data.Append(value);
            _data.Append((byte)'\n');
            _hasData = true;
            if (_lineCut)
            {
                _dataCut = true;
            }
        }
        else if (name.SequenceEqual("event"u8))
        {
            _eventType = Intern(value);
        }
        else if (name.SequenceEqual("id"u8))
        {
            if (value.IndexOf((byte)0) < 0)
            {
                _lastId = System.Text.Encoding.UTF8.GetString(value);
            }
        }
        // "retry" and unknown fields are ignored, as the standard says.
    }

    private void Dispatch(IEventSink sink, bool cut)
    {
        if (!_hasData)
        {
            _eventType = null;
            return;
        }
        // The data buffer ends with the LF added after the last data line: it is not part of the data.
        var data = _data.Memory[..(_data.Length - 1)];
        sink.OnEvent(_eventType, data, _lastId, cut || _dataCut);
        _data.Clear();
        _hasData = false;
        _dataCut = false;
        _eventType = null;
    }

    /// <summary>Event names repeat on every event: one string each.</summary>
    private string Intern(ReadOnlySpan<byte> value)
    {
        Span<char> chars = stackalloc char[128];
        if (value.Length > chars.Length || !System.Text.Unicode.Utf8.IsValid(value))
        {
            return System.Text.Encoding.UTF8.GetString(value);
        }
        var length = System.Text.Encoding.UTF8.GetChars(value, chars);
        var lookup = _types.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(chars[..length], out var known))
        {
            return known;
        }
        var text = new string(chars[..length]);
        if (_types.Count < 256)
        {
            _types.Add(text);
        }
        return text;
    }
}
