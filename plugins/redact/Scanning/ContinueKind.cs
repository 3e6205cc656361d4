namespace AgentSight.Plugins.Redact.Scanning;

/// <summary>How a secret that runs past the end of the text it was found in goes on in the text that follows.</summary>
internal enum ContinueKind : byte
{
    /// <summary>Nothing is known about what follows: stop at the boundary.</summary>
    None,

    /// <summary>A run of the characters in <see cref="Continuation.Chars"/>.</summary>
    Token,

    /// <summary>A header value at the start of a line: up to CR or LF.</summary>
    LineValue,

    /// <summary>A header value inside quotes: up to CR, LF, a quote or a backslash.</summary>
    QuotedValue,

    /// <summary>A JSON string value: up to the next unescaped quote.</summary>
    JsonString,

    /// <summary>A JSON string value inside JSON text that is itself a string (<c>\"…\"</c>): up to the next backslash.</summary>
    JsonEscapedString,

    /// <summary>A <c>name=value</c> value: up to a character that ends a URL parameter or a shell word.</summary>
    ParamValue,

    /// <summary>The body of a PEM private key: up to and including its <c>-----END …-----</c> line.</summary>
    Pem,

    /// <summary>A known number of characters (<see cref="Continuation.Remaining"/>).</summary>
    Fixed,

    /// <summary>A URL's userinfo password: up to the <c>@</c> (or whatever ends a URL's authority).</summary>
    UserInfo,

    /// <summary>
    /// A secret of unknown kind (the stream's state was released while one was open): up to a line end or a quote,
    /// which is past the end of any secret that a single line can hold.
    /// </summary>
    Unknown,
}
