using System.Buffers;
using System.Text.Json;

namespace AgentSight.Contracts;

/// <summary>Formats events as NDJSON lines into one reused buffer. Not thread-safe: one per sink.</summary>
public sealed class EventLineFormatter : IDisposable
{
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private readonly Utf8JsonWriter _writer;

    /// <summary>Creates a formatter.</summary>
    public EventLineFormatter() => _writer = new Utf8JsonWriter(_buffer, AgentEventJson.WriterOptions);

    /// <summary>
    /// The event as one line, ending with a line feed. The memory is valid until the next call.
    /// </summary>
    public ReadOnlyMemory<byte> Format(ReadOnlyEvent evt) => Format(evt.Event);

    /// <summary>
    /// The event as one line, ending with a line feed. The memory is valid until the next call.
    /// </summary>
    public ReadOnlyMemory<byte> Format(AgentEvent evt)
    {
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
        try
        {
            AgentEventJson.Write(_writer, evt);
            _writer.Flush();
        }
        catch
        {
            // A failed payload leaves the writer mid-object; the next Reset starts clean.
            _buffer.ResetWrittenCount();
            throw;
        }
        _buffer.Write("\n"u8);
        return _buffer.WrittenMemory;
    }

    [ThreadStatic]
    private static EventLineFormatter? t_shared;

    /// <summary>The event's line in an array of its own, formatted with this thread's formatter.</summary>
    internal static byte[] FormatToArray(AgentEvent evt) => (t_shared ??= new EventLineFormatter()).Format(evt).ToArray();

    /// <inheritdoc />
    public void Dispose() => _writer.Dispose();
}
