namespace AgentSight.Plugins.Http;

/// <summary>How a message's body is delimited (RFC 9112 §6.3).</summary>
internal enum BodyKind
{
    None,
    Length,
    Chunked,
    UntilClose,

    /// <summary>A 1xx response other than 101: another response follows for the same request.</summary>
    Interim,

    /// <summary>The connection switches protocols after this message.</summary>
    Upgrade,

    /// <summary>The framing headers are broken (unparseable or conflicting Content-Length, unknown final coding in a request).</summary>
    Invalid,
}

/// <summary>A body's framing and, for <see cref="BodyKind.Length"/>, its length.</summary>
internal readonly record struct BodyFraming(BodyKind Kind, long Length = 0)
{
    /// <summary>Decides the framing of a message from its head (and, for a response, its request's method).</summary>
    public static BodyFraming Of(HttpHead head, string? requestMethod)
    {
        if (head.Kind == MessageKind.Response)
        {
            if (head.Status == 101)
            {
                return new(BodyKind.Upgrade);
            }
            if (head.Status is >= 100 and < 200)
            {
                return new(BodyKind.Interim);
            }
            if (requestMethod == "CONNECT" && head.Status is >= 200 and < 300)
            {
                return new(BodyKind.Upgrade);
            }
            if (requestMethod == "HEAD" || head.Status is 204 or 304)
            {
                return new(BodyKind.None);
            }
        }

        var transferEncoding = head.Get("transfer-encoding");
        if (transferEncoding is not null)
        {
            // Transfer-Encoding wins over Content-Length; only a final "chunked" delimits the body.
            var last = transferEncoding.AsSpan();
            var comma = last.LastIndexOf(',');
            if (comma >= 0)
            {
                last = last[(comma + 1)..];
            }
            if (last.Trim().Equals("chunked", StringComparison.OrdinalIgnoreCase))
            {
                return new(BodyKind.Chunked);
            }
            return head.Kind == MessageKind.Request ? new(BodyKind.Invalid) : new(BodyKind.UntilClose);
        }

        var contentLength = head.Get("content-length");
        if (contentLength is not null)
        {
            // Repeated or list-valued Content-Length is fine only when every value is the same.
            long length = -1;
            foreach (var part in contentLength.Split(',', StringSplitOptions.TrimEntries))
            {
                if (part.Length == 0 || part.Length > 18 || !part.All(char.IsAsciiDigit))
                {
                    return new(BodyKind.Invalid);
                }
                var value = long.Parse(part, System.Globalization.CultureInfo.InvariantCulture);
                if (length >= 0 && value != length)
                {
                    return new(BodyKind.Invalid);
                }
                length = value;
            }
            return new(BodyKind.Length, length);
        }
        return head.Kind == MessageKind.Request ? new(BodyKind.None) : new(BodyKind.UntilClose);
    }
}
