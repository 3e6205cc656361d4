namespace AgentSight.Plugins.SslFilter.Expressions;

/// <summary>How a field's values compare, which decides the operators it accepts.</summary>
public enum SslFieldKind
{
    /// <summary>The payload bytes: =, !=, ~, ^=, $=.</summary>
    Bytes,

    /// <summary>Text: =, !=, ~, ^=, $=.</summary>
    Text,

    /// <summary>One of a few words (<c>data.type</c>): = and !=.</summary>
    Choice,

    /// <summary>A whole number: =, !=, &gt;, &lt;, &gt;=, &lt;=.</summary>
    Integer,

    /// <summary>Milliseconds with decimals (<c>latency_ms</c>): the same operators as integers.</summary>
    Milliseconds,

    /// <summary>true or false: = and !=.</summary>
    Boolean,
}
