namespace AgentSight.Plugins.Mcp;

/// <summary>
/// Reads the <c>data</c> of Server-Sent Events from body pieces of any split (MCP's streamable HTTP answers with one
/// JSON-RPC message per event). Each event's data goes through a <see cref="MessageFramer"/>, so its cap applies;
/// other fields (<c>event</c>, <c>id</c>, <c>retry</c>) and comments are skipped.
/// </summary>
internal sealed class EventStreamReader(int maxMessageBytes)
{
    private const int MaxFieldName = 16;

    private readonly MessageFramer _data = new(maxMessageBytes);
    private readonly byte[] _field = new byte[MaxFieldName];
    private int _fieldLength;
    private Mode _mode;

    private enum Mode
    {
        /// <summary>At the start of a line or in its field name.</summary>
        Field,

        /// <summary>The value of a <c>data</c> line; a leading space is still to be dropped.</summary>
        DataStart,

        /// <summary>The value of a <c>data</c> line.</summary>
        Data,

        /// <summary>Any other line, up to its end.</summary>
        Other,
    }

    public int HeldBytes => _data.HeldBytes;

    public void Feed(ReadOnlySpan<byte> bytes, IFramedMessageSink sink)
    {
        while (!bytes.IsEmpty)
        {
            switch (_mode)
            {
                case Mode.Field:
                    var stop = bytes.IndexOfAny((byte)':', (byte)'\n');
                    var name = stop < 0 ? bytes : bytes[..stop];
                    if (_fieldLength + name.Length > MaxFieldName)
                    {
                        _mode = Mode.Other;
                        _fieldLength = 0;
                        break;
                    }
                    name.CopyTo(_field.AsSpan(_fieldLength));
                    _fieldLength += name.Length;
                    if (stop < 0)
                    {
                        return;
                    }
                    var field = _field.AsSpan(0, _fieldLength).TrimEnd("\r"u8);
                    _fieldLength = 0;
                    if (bytes[stop] == (byte)'\n')
                    {
                        if (field.IsEmpty)
                        {
                            // A blank line: the event is complete.
                            _data.Finish(sink);
                        }
                        bytes = bytes[(stop + 1)..];
                        break;
                    }
                    _mode = field.SequenceEqual("data"u8) ? Mode.DataStart : Mode.Other;
                    bytes = bytes[(stop + 1)..];
                    break;
                case Mode.DataStart:
                    if (bytes[0] == (byte)' ')
                    {
                        bytes = bytes[1..];
                    }
                    _mode = Mode.Data;
                    break;
                case Mode.Data:
                    var end = bytes.IndexOf((byte)'\n');
                    if (end < 0)
                    {
                        _data.Feed(bytes, sink);
                        return;
                    }
                    // A CR before the LF is whitespace to the JSON parser: it can stay.
                    _data.Feed(bytes[..end], sink);
                    bytes = bytes[(end + 1)..];
                    _mode = Mode.Field;
                    break;
                case Mode.Other:
                    var newline = bytes.IndexOf((byte)'\n');
                    if (newline < 0)
                    {
                        return;
                    }
                    bytes = bytes[(newline + 1)..];
                    _mode = Mode.Field;
                    break;
            }
        }
    }

    /// <summary>The body ended: an event without its blank line is still complete.</summary>
    public void Finish(IFramedMessageSink sink) => _data.Finish(sink);

    /// <summary>Pieces went missing: the event in progress is dropped.</summary>
    public void Discontinuity()
    {
        _data.Discontinuity();
        _mode = Mode.Other;
        _fieldLength = 0;
    }
}
