namespace AgentSight.Plugins.Common.Filters;

/// <summary>An expression that does not parse: where, and what the parser expected there.</summary>
public sealed class FilterSyntaxException : FormatException
{
    /// <summary>Creates the error.</summary>
    /// <param name="expression">The whole expression as written.</param>
    /// <param name="position">1-based character position of the problem (one past the end for "ended too early").</param>
    /// <param name="problem">What was expected or what is wrong there.</param>
    public FilterSyntaxException(string expression, int position, string problem)
        : base($"cannot parse \"{expression}\" at position {position}: {problem}")
    {
        Expression = expression;
        Position = position;
        Problem = problem;
    }

    /// <summary>The expression as written.</summary>
    public string Expression { get; }

    /// <summary>1-based character position of the problem.</summary>
    public int Position { get; }

    /// <summary>What was expected or what is wrong.</summary>
    public string Problem { get; }
}
