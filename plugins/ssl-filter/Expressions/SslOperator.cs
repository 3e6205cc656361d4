namespace AgentSight.Plugins.SslFilter.Expressions;

/// <summary>A comparison of a condition, with its spelling in expressions.</summary>
public enum SslOperator
{
    /// <summary><c>=</c>: equal.</summary>
    Equal,

    /// <summary><c>!=</c>: not equal.</summary>
    NotEqual,

    /// <summary><c>~</c>: contains.</summary>
    Contains,

    /// <summary><c>^=</c>: starts with (an addition: the original had it in its evaluator with no syntax).</summary>
    StartsWith,

    /// <summary><c>$=</c>: ends with (an addition, like <see cref="StartsWith"/>).</summary>
    EndsWith,

    /// <summary><c>&gt;</c>.</summary>
    Greater,

    /// <summary><c>&lt;</c>.</summary>
    Less,

    /// <summary><c>&gt;=</c>.</summary>
    GreaterOrEqual,

    /// <summary><c>&lt;=</c>.</summary>
    LessOrEqual,
}
