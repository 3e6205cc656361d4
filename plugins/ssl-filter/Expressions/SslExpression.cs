namespace AgentSight.Plugins.SslFilter.Expressions;

/// <summary>A parsed filter expression: true means "drop this event".</summary>
public abstract class SslExpression
{
    /// <summary>Evaluates the expression on one event.</summary>
    internal abstract bool Matches(SslEventView evt);
}

/// <summary><c>a | b</c>: either side matches.</summary>
public sealed class SslOr(SslExpression left, SslExpression right) : SslExpression
{
    /// <summary>The left side.</summary>
    public SslExpression Left { get; } = left;

    /// <summary>The right side.</summary>
    public SslExpression Right { get; } = right;

    internal override bool Matches(SslEventView evt) => Left.Matches(evt) || Right.Matches(evt);

    /// <inheritdoc />
    public override string ToString() => $"({Left} | {Right})";
}

/// <summary><c>a &amp; b</c>: both sides match.</summary>
public sealed class SslAnd(SslExpression left, SslExpression right) : SslExpression
{
    /// <summary>The left side.</summary>
    public SslExpression Left { get; } = left;

    /// <summary>The right side.</summary>
    public SslExpression Right { get; } = right;

    internal override bool Matches(SslEventView evt) => Left.Matches(evt) && Right.Matches(evt);

    /// <inheritdoc />
    public override string ToString() => $"({Left} & {Right})";
}
