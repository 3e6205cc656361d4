namespace AgentSight.Plugins.HttpFilter.Expressions;

/// <summary>What a condition tests.</summary>
public enum HttpTest
{
    /// <summary><c>method</c>, <c>verb</c>: equal, ignoring case.</summary>
    Method,

    /// <summary><c>path</c>, <c>path_exact</c>: the request target (query included) equals the value.</summary>
    PathExact,

    /// <summary><c>path_prefix</c>, <c>path_starts_with</c>.</summary>
    PathPrefix,

    /// <summary><c>path_contains</c>, <c>path_includes</c>, and a bare word.</summary>
    PathContains,

    /// <summary><c>host</c>, <c>hostname</c>: equal, ignoring case (and the port, when the value names none).</summary>
    Host,

    /// <summary><c>body</c>, <c>body_contains</c>: contains; an empty value means "the body is empty".</summary>
    Body,

    /// <summary>Any other request field: a query parameter of that name with that value.</summary>
    QueryParameter,

    /// <summary><c>status_code</c>, <c>status</c>, <c>code</c>.</summary>
    Status,

    /// <summary><c>status_text</c>, <c>status_message</c>: contains, ignoring case.</summary>
    StatusText,

    /// <summary>A header (<c>content_type</c>, <c>server</c>, <c>headers.NAME</c>, any other response field): contains.</summary>
    Header,
}
