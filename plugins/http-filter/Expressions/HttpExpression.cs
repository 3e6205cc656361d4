namespace AgentSight.Plugins.HttpFilter.Expressions;

/// <summary>A parsed expression: alternatives (<c>|</c>), each a set of conditions that must all hold (<c>&amp;</c>).</summary>
public sealed class HttpExpression
{
    internal HttpExpression(string text, IReadOnlyList<IReadOnlyList<HttpCondition>> alternatives)
    {
        Text = text;
        Alternatives = alternatives;
    }

    /// <summary>The expression as written.</summary>
    public string Text { get; }

    /// <summary>The alternatives; the expression matches when every condition of one of them does.</summary>
    public IReadOnlyList<IReadOnlyList<HttpCondition>> Alternatives { get; }

    internal bool Matches(HttpMessageView? request, HttpMessageView? response)
    {
        foreach (var alternative in Alternatives)
        {
            var all = true;
            foreach (var condition in alternative)
            {
                if (!condition.Matches(request, response))
                {
                    all = false;
                    break;
                }
            }
            if (all)
            {
                return true;
            }
        }
        return false;
    }

    /// <inheritdoc />
    public override string ToString() => Text;
}
