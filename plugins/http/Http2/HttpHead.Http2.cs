using AgentSight.Plugins.Http.Http2;

namespace AgentSight.Plugins.Http;

/// <summary>HTTP/2 heads: made from a decoded header block instead of parsed from a start line.</summary>
internal sealed partial class HttpHead
{
    /// <summary>The <c>version</c> of HTTP/2 messages.</summary>
    public const string Http2Version = "HTTP/2";

    /// <summary>The request's <c>:authority</c> (HTTP/2); null for HTTP/1 heads, whose host is their Host header.</summary>
    public string? Authority { get; private init; }

    /// <summary>
    /// HTTP/2 only: header fields of the block that are not in <see cref="Headers"/> (they could not be decoded, or
    /// were past the cap); null when the header block itself was not seen.
    /// </summary>
    public int? HeadersMissed { get; private init; }

    /// <summary>True for a head of an HTTP/2 stream.</summary>
    public bool IsHttp2 => ReferenceEquals(Version, Http2Version);

    /// <summary>The request's host: its <c>:authority</c>, else its Host header.</summary>
    public string? Host => Authority ?? Get("host");

    /// <summary>A request head from a decoded header block.</summary>
    public static HttpHead Http2Request(HeaderBlock block) => new()
    {
        Kind = MessageKind.Request,
        Version = Http2Version,
        Method = block.Method,
        Target = block.Path,
        Authority = block.Authority,
        Reason = null,
        Headers = block.Fields,
        HeadersMissed = block.Missed,
    };

    /// <summary>A response head from a decoded header block.</summary>
    public static HttpHead Http2Response(HeaderBlock block) => new()
    {
        Kind = MessageKind.Response,
        Version = Http2Version,
        Method = null,
        Target = null,
        Status = block.StatusCode,
        Reason = null,
        Headers = block.Fields,
        HeadersMissed = block.Missed,
    };

    /// <summary>The head of a message whose header block was not seen (a stream seen from its middle): nothing known.</summary>
    public static HttpHead Http2Unseen(MessageKind kind) => new()
    {
        Kind = kind,
        Version = Http2Version,
        Method = null,
        Target = null,
        Reason = null,
        Headers = [],
        HeadersMissed = null,
    };
}
