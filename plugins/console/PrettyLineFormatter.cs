using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using AgentSight.Contracts;

namespace AgentSight.Plugins.Console;

/// <summary>Formats events as one short readable line each, into reused buffers. Not thread-safe: one per sink.</summary>
/// <remarks>
/// <c>HH:mm:ss.fff source comm(pid/tid) summary</c>, in local time. Captured text is shown escaped (<c>\r</c>,
/// <c>\n</c>, <c>\t</c>; other control characters and invalid UTF-8 as <c>\xNN</c>, control and bidirectional
/// code points above ASCII as <c>\uNNNN</c>), so a payload can neither break the line nor drive the terminal.
/// </remarks>
internal sealed class PrettyLineFormatter : IDisposable
{
    private const char Ellipsis = '…';

    /// <summary>Process events' main field by event name, as the original tool's <c>process</c> program writes them.</summary>
    private static readonly (string Event, string Field)[] ProcessMainFields =
    [
        ("EXEC", "filename"),
        ("EXIT", "exit_code"),
        ("FILE_OPEN", "filepath"),
        ("BASH_READLINE", "command"),
    ];

    private readonly int _maxPreview;
    private readonly StringBuilder _text = new(256);
    private readonly ArrayBufferWriter<byte> _json = new(1024);
    private readonly Utf8JsonWriter _jsonWriter;
    private char[] _chars = new char[256];
    private byte[] _bytes = new byte[1024];

    /// <summary>Creates a formatter whose previews are at most <paramref name="maxPreview"/> characters.</summary>
    public PrettyLineFormatter(int maxPreview)
    {
        _maxPreview = maxPreview;
        _jsonWriter = new Utf8JsonWriter(_json, AgentEventJson.WriterOptions);
    }

    /// <summary>The event as one UTF-8 line ending with a line feed, valid until the next call. Never throws for a payload.</summary>
    public ReadOnlySpan<byte> Format(ReadOnlyEvent evt)
    {
        _text.Clear();
        AppendTime(evt.Timestamp);
        _text.Append(' ');
        AppendText(evt.Source, _maxPreview);
        _text.Append(' ');
        AppendText(evt.Comm, _maxPreview);
        _text.Append('(').Append(evt.Pid);
        if (evt.Tid != 0 && evt.Tid != evt.Pid)
        {
            _text.Append('/').Append(evt.Tid);
        }
        _text.Append(')');

        var beforeSummary = _text.Length;
        try
        {
            AppendSummary(evt);
        }
        catch (Exception ex)
        {
            // A payload that cannot even be written as JSON (too deep, a plugin's own payload type that throws)
            // still gets its line: the other sinks report the failure, this one is for reading along.
            _text.Length = beforeSummary;
            _text.Append(" (payload not shown: ").Append(ex.GetType().Name).Append(')');
        }
        _text.Append('\n');
        return Encode();
    }

    /// <inheritdoc />
    public void Dispose() => _jsonWriter.Dispose();

    private void AppendTime(long timestampNs)
    {
        // Every long of nanoseconds is within DateTimeOffset's range (years 1677 to 2262).
        var utc = DateTimeOffset.FromUnixTimeMilliseconds(timestampNs / 1_000_000);
        var local = TimeZoneInfo.ConvertTime(utc, TimeZoneInfo.Local);
        _text.Append(CultureInfo.InvariantCulture, $"{local:HH:mm:ss.fff}");
    }

    private void AppendSummary(ReadOnlyEvent evt)
    {
        switch (evt)
        {
            case { Tls: { } tls }:
                AppendTls(tls);
                break;
            case { HasFields: true, Fields: var fields } when evt.Source == EventSources.Process && fields["event"].GetString() is { } eventName:
                AppendProcess(eventName, fields);
                break;
            default:
                _text.Append(' ');
                AppendPayload(evt);
                break;
        }
    }

    private void AppendTls(ReadOnlyTlsPayload tls)
    {
        _text.Append(' ').Append(tls.Function);
        if (tls.Direction != TlsDirection.Handshake)
        {
            _text.Append(' ').Append(tls.Length).Append('B');
        }
        if (tls.ConnectionId != 0)
        {
            _text.Append(CultureInfo.InvariantCulture, $" conn=0x{tls.ConnectionId:x}");
        }
        if (tls.Truncated)
        {
            _text.Append(CultureInfo.InvariantCulture, $" TRUNCATED -{tls.BytesLost} B");
        }
        if (tls.HasBytes && !tls.Bytes.IsEmpty)
        {
            _text.Append(' ');
            AppendText(tls.Bytes.Span, _maxPreview);
        }
    }

    private void AppendProcess(string eventName, ReadOnlyJson fields)
    {
        _text.Append(' ');
        AppendText(eventName, _maxPreview);

        string? key = null;
        foreach (var (name, field) in ProcessMainFields)
        {
            if (name == eventName && fields.ContainsKey(field))
            {
                key = field;
                break;
            }
        }
        // An event this formatter does not know by name still shows the first main field it carries.
        if (key is null)
        {
            foreach (var (_, field) in ProcessMainFields)
            {
                if (fields.ContainsKey(field))
                {
                    key = field;
                    break;
                }
            }
        }

        _text.Append(' ');
        if (key is null)
        {
            AppendJson(fields);
            return;
        }
        _text.Append(key).Append('=');
        if (fields[key].GetString() is { } text)
        {
            AppendText(text, _maxPreview);
        }
        else
        {
            AppendJson(fields[key]);
        }
    }

    /// <summary>Compact JSON of the event's payload, cut at the preview length.</summary>
    private void AppendPayload(ReadOnlyEvent evt)
    {
        ResetJson();
        evt.WriteDataTo(_jsonWriter);
        _jsonWriter.Flush();
        AppendText(_json.WrittenSpan, _maxPreview);
    }

    /// <summary>Compact JSON of <paramref name="node"/> (<c>null</c> for a JSON null), cut at the preview length.</summary>
    private void AppendJson(ReadOnlyJson node)
    {
        ResetJson();
        node.WriteTo(_jsonWriter);
        _jsonWriter.Flush();
        AppendText(_json.WrittenSpan, _maxPreview);
    }

    private void ResetJson()
    {
        _json.ResetWrittenCount();
        _jsonWriter.Reset(_json);
    }

    /// <summary>Appends UTF-8 bytes escaped, at most <paramref name="budget"/> characters (the last one … when cut).</summary>
    private void AppendText(ReadOnlySpan<byte> utf8, int budget)
    {
        var cut = new Cut(_text, budget);
        while (!utf8.IsEmpty)
        {
            var status = Rune.DecodeFromUtf8(utf8, out var rune, out var consumed);
            consumed = Math.Max(consumed, 1);
            if (status == OperationStatus.Done)
            {
                AppendRune(rune);
            }
            else
            {
                foreach (var b in utf8[..consumed])
                {
                    AppendByteEscape(b);
                }
            }
            utf8 = utf8[consumed..];
            if (cut.Check(_text))
            {
                return;
            }
        }
    }

    /// <summary>Appends text escaped, at most <paramref name="budget"/> characters (the last one … when cut).</summary>
    private void AppendText(string? text, int budget)
    {
        var chars = text.AsSpan();
        var cut = new Cut(_text, budget);
        while (!chars.IsEmpty)
        {
            var status = Rune.DecodeFromUtf16(chars, out var rune, out var consumed);
            consumed = Math.Max(consumed, 1);
            if (status == OperationStatus.Done)
            {
                AppendRune(rune);
            }
            else
            {
                // A lone surrogate.
                AppendCodePointEscape(chars[0]);
            }
            chars = chars[consumed..];
            if (cut.Check(_text))
            {
                return;
            }
        }
    }

    private void AppendRune(Rune rune)
    {
        switch (rune.Value)
        {
            case '\n':
                _text.Append("\\n");
                return;
            case '\r':
                _text.Append("\\r");
                return;
            case '\t':
                _text.Append("\\t");
                return;
        }
        if (rune.Value < 0x80 && Rune.IsControl(rune))
        {
            AppendByteEscape((byte)rune.Value);
        }
        else if (Rune.IsControl(rune) || IsInvisibleLayout(rune))
        {
            AppendCodePointEscape(rune.Value);
        }
        else if (rune.IsBmp)
        {
            _text.Append((char)rune.Value);
        }
        else
        {
            Span<char> pair = stackalloc char[2];
            _text.Append(pair[..rune.EncodeToUtf16(pair)]);
        }
    }

    /// <summary>Line and paragraph separators and bidirectional controls, which would reorder or break the line.</summary>
    private static bool IsInvisibleLayout(Rune rune) => rune.Value is 0x061C or 0x200E or 0x200F or 0x2028 or 0x2029
        or (>= 0x202A and <= 0x202E) or (>= 0x2066 and <= 0x2069);

    private void AppendByteEscape(byte b) => _text.Append(CultureInfo.InvariantCulture, $"\\x{b:x2}");

    private void AppendCodePointEscape(int value) => _text.Append(CultureInfo.InvariantCulture, $"\\u{value:x4}");

    private ReadOnlySpan<byte> Encode()
    {
        var length = _text.Length;
        if (_chars.Length < length)
        {
            _chars = new char[Math.Max(length, _chars.Length * 2)];
        }
        _text.CopyTo(0, _chars, length);
        var maxBytes = Encoding.UTF8.GetMaxByteCount(length);
        if (_bytes.Length < maxBytes)
        {
            _bytes = new byte[Math.Max(maxBytes, _bytes.Length * 2)];
        }
        var written = Encoding.UTF8.GetBytes(_chars, 0, length, _bytes, 0);
        return _bytes.AsSpan(0, written);
    }

    /// <summary>Keeps a preview within its budget while it is appended piece by piece (a rune or one escape each).</summary>
    private struct Cut
    {
        private readonly int _start;
        private readonly int _budget;

        /// <summary>The end of the longest prefix that still leaves room for the ellipsis.</summary>
        private int _lastFit;

        public Cut(StringBuilder text, int budget)
        {
            _start = text.Length;
            _budget = budget;
            _lastFit = _start;
        }

        /// <summary>After a piece: true when the preview went over budget and was cut (stop appending).</summary>
        public bool Check(StringBuilder text)
        {
            var used = text.Length - _start;
            if (used > _budget)
            {
                // Back to a piece boundary, so an escape or a surrogate pair is never split.
                text.Length = _lastFit;
                text.Append(Ellipsis);
                return true;
            }
            if (used < _budget)
            {
                _lastFit = text.Length;
            }
            return false;
        }
    }
}
