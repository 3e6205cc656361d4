namespace AgentSight.Tests.Runners;

/// <summary>One dispatched Server-Sent Event: its type (null when no event: line) and its data.</summary>
internal sealed record SseEvent(string? Type, string Data)
{
    /// <summary>
    /// Parses a whole SSE stream as the WHATWG spec says: CRLF, LF or CR line ends; comments; one space after the
    /// colon stripped; a blank line dispatches; data lines joined by LF. Also returns whether every line ended with
    /// CRLF, and whether the stream ended on a dispatch (nothing left over).
    /// </summary>
    public static (List<SseEvent> Events, bool AllCrlf, bool Complete) ParseAll(string text)
    {
        var events = new List<SseEvent>();
        string? type = null;
        var data = new List<string>();
        var allCrlf = true;
        var pending = false;
        var at = 0;
        if (text.StartsWith('\uFEFF'))
        {
            at = 1;
        }
        while (at < text.Length)
        {
            var end = text.IndexOfAny(['\r', '\n'], at);
            if (end < 0)
            {
                return (events, allCrlf, false);
            }
            var line = text[at..end];
            if (text[end] == '\r' && end + 1 < text.Length && text[end + 1] == '\n')
            {
                at = end + 2;
            }
            else
            {
                allCrlf = false;
                at = end + 1;
            }

            if (line.Length == 0)
            {
                if (data.Count > 0)
                {
                    events.Add(new SseEvent(type, string.Join('\n', data)));
                }
                type = null;
                data.Clear();
                pending = false;
                continue;
            }
            pending = true;
            if (line.StartsWith(':'))
            {
                continue;
            }
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? "" : line[(colon + 1)..];
            if (value.StartsWith(' '))
            {
                value = value[1..];
            }
            switch (field)
            {
                case "event":
                    type = value;
                    break;
                case "data":
                    data.Add(value);
                    break;
            }
        }
        return (events, allCrlf, !pending);
    }
}
