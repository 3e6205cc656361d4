using System.Buffers.Text;
using System.Text;

namespace AgentSight.Plugins.Mcp;

/// <summary>
/// Cuts one direction of a stdio stream into JSON-RPC messages, from writes of any size: newline-delimited JSON (the
/// MCP stdio transport) and <c>Content-Length:</c> framing (LSP-style servers). Lines that do not start a JSON value
/// are skipped without being kept, so a noisy stream costs a scan, not memory. A message holds at most the cap; past
/// it only its head and tail are kept.
/// </summary>
internal sealed class MessageFramer(int maxMessageBytes)
{
    private const int HeadBytes = 4096;
    private const int TailBytes = 512;
    private const int MaxHeaderLine = 1024;

    private readonly byte[] _tail = new byte[TailBytes];
    private byte[] _buffer = [];
    private int _length;
    private int _tailLength;
    private bool _cut;
    private State _state;
    private long _bodyLeft;

    private enum State
    {
        /// <summary>Between messages: whitespace is skipped, the next byte says which framing follows.</summary>
        Start,

        /// <summary>In a JSON line, up to its newline.</summary>
        Line,

        /// <summary>In a line that is not JSON (or after lost bytes), up to its newline.</summary>
        Skip,

        /// <summary>In a header line (<c>Content-Length: N</c>).</summary>
        Header,

        /// <summary>In a <c>Content-Length</c> body.</summary>
        Body,
    }

    /// <summary>Between messages, holding nothing: giving the stream up loses nothing.</summary>
    public bool IsIdle => _state == State.Start && _length == 0;

    /// <summary>Bytes held for the message in progress.</summary>
    public int HeldBytes => _buffer.Length;

    public void Feed(ReadOnlySpan<byte> data, IFramedMessageSink sink)
    {
        while (!data.IsEmpty)
        {
            switch (_state)
            {
                case State.Start:
                    var start = data.IndexOfAnyExcept(" \t\r\n"u8);
                    if (start < 0)
                    {
                        return;
                    }
                    data = data[start..];
                    _state = data[0] switch
                    {
                        (byte)'{' or (byte)'[' => State.Line,
                        (byte)'C' or (byte)'c' => State.Header,
                        _ => State.Skip,
                    };
                    break;
                case State.Line:
                    var end = data.IndexOf((byte)'\n');
                    if (end < 0)
                    {
                        Append(data);
                        return;
                    }
                    Append(data[..end]);
                    Complete(sink);
                    data = data[(end + 1)..];
                    break;
                case State.Skip:
                    var newline = data.IndexOf((byte)'\n');
                    if (newline < 0)
                    {
                        return;
                    }
                    sink.OnSkippedLine();
                    data = data[(newline + 1)..];
                    _state = State.Start;
                    break;
                case State.Header:
                    data = FeedHeader(data, sink);
                    break;
                case State.Body:
                    var take = (int)Math.Min(_bodyLeft, data.Length);
                    Append(data[..take]);
                    _bodyLeft -= take;
                    data = data[take..];
                    if (_bodyLeft == 0)
                    {
                        Complete(sink);
                    }
                    break;
            }
        }
    }

    /// <summary>Bytes were lost before the next ones: the message in progress is dropped, reading resumes at the next line.</summary>
    public void Discontinuity()
    {
        Reset();
        _state = State.Skip;
    }

    /// <summary>The stream ended: a last JSON line without its newline is still a message.</summary>
    public void Finish(IFramedMessageSink sink)
    {
        if (_state == State.Line && _length > 0)
        {
            Complete(sink);
        }
        Reset();
        _state = State.Start;
    }

    private ReadOnlySpan<byte> FeedHeader(ReadOnlySpan<byte> data, IFramedMessageSink sink)
    {
        var end = data.IndexOf((byte)'\n');
        if (end < 0)
        {
            if (_length + data.Length > MaxHeaderLine)
            {
                Reset();
                _state = State.Skip;
                return [];
            }
            Append(data);
            return [];
        }
        Append(data[..end]);
        var line = _buffer.AsSpan(0, _length).TrimEnd("\r"u8);
        if (line.IsEmpty)
        {
            // The blank line after the headers: the body follows.
            var body = _bodyLeft;
            Reset();
            _bodyLeft = body;
            _state = body > 0 ? State.Body : State.Start;
            return data[(end + 1)..];
        }
        if (ContentLength(line) is { } length)
        {
            _bodyLeft = length;
        }
        else if (_bodyLeft == 0)
        {
            // Not a header of ours: a line of text that happened to start with a C.
            sink.OnSkippedLine();
            Reset();
            _state = State.Start;
            return data[(end + 1)..];
        }
        _length = 0;
        return data[(end + 1)..];
    }

    /// <summary>The value of a <c>Content-Length:</c> header line; null for any other line.</summary>
    private static long? ContentLength(ReadOnlySpan<byte> line)
    {
        if (line.Length <= 15 || !Ascii.EqualsIgnoreCase(line[..15], "content-length:"u8))
        {
            return null;
        }
        var value = line[15..].Trim(" \t"u8);
        return Utf8Parser.TryParse(value, out long length, out var used) && used == value.Length && length >= 0 ? length : null;
    }

    private void Complete(IFramedMessageSink sink)
    {
        if (_cut)
        {
            sink.OnCutMessage(_buffer.AsSpan(0, Math.Min(_length, HeadBytes)), _tail.AsSpan(0, _tailLength));
        }
        else
        {
            sink.OnMessage(_buffer.AsSpan(0, _length));
        }
        Reset();
        _state = State.Start;
    }

    private void Append(ReadOnlySpan<byte> data)
    {
        if (!_cut && _length + data.Length > maxMessageBytes)
        {
            // Too long to keep: from now on only the head (kept) and a rolling tail.
            _cut = true;
            _length = Math.Min(_length, HeadBytes);
            var fill = Math.Min(HeadBytes - _length, data.Length);
            EnsureCapacity(_length + fill);
            data[..fill].CopyTo(_buffer.AsSpan(_length));
            _length += fill;
            _buffer = _buffer.Length > HeadBytes ? _buffer[..HeadBytes] : _buffer;
            KeepTail(data);
            return;
        }
        if (_cut)
        {
            KeepTail(data);
            return;
        }
        EnsureCapacity(_length + data.Length);
        data.CopyTo(_buffer.AsSpan(_length));
        _length += data.Length;
    }

    private void KeepTail(ReadOnlySpan<byte> data)
    {
        if (data.Length >= TailBytes)
        {
            data[^TailBytes..].CopyTo(_tail);
            _tailLength = TailBytes;
            return;
        }
        var keep = Math.Min(_tailLength, TailBytes - data.Length);
        _tail.AsSpan(_tailLength - keep, keep).CopyTo(_tail);
        data.CopyTo(_tail.AsSpan(keep));
        _tailLength = keep + data.Length;
    }

    private void EnsureCapacity(int needed)
    {
        if (_buffer.Length >= needed)
        {
            return;
        }
        var size = Math.Max(needed, Math.Max(256, _buffer.Length * 2));
        Array.Resize(ref _buffer, Math.Min(size, Math.Max(needed, maxMessageBytes)));
    }

    private void Reset()
    {
        _length = 0;
        _tailLength = 0;
        _cut = false;
        _bodyLeft = 0;
        if (_buffer.Length > 64 * 1024)
        {
            // A big message passed: its buffer is not kept for the small ones that usually follow.
            _buffer = [];
        }
    }
}
