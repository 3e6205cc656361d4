using System.Text;

namespace AgentSight.Host.Pipeline;

/// <summary>
/// Stands in, in a log, for an exception thrown by a stage that sees events before redaction: its type and stack
/// trace, and those of its inner exceptions, say where it failed; its message, which may quote the event (a
/// <c>FormatException</c> quotes the text it could not parse), is left out. See <see cref="EventDescription"/>.
/// </summary>
internal sealed class WithheldMessageException : Exception
{
    /// <summary>What the log shows instead of a message.</summary>
    public const string Withheld = "message withheld: the stage sees unredacted events, which a message may quote";

    private readonly Exception _original;

    public WithheldMessageException(Exception original)
        : base($"{original.GetType().FullName} ({Withheld})")
    {
        _original = original;
    }

    public override string? StackTrace => _original.StackTrace;

    /// <summary>As <see cref="Exception.ToString"/> prints it (type: message, inner exceptions, stack), messages withheld.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        Append(text, _original);
        return text.ToString();
    }

    private static void Append(StringBuilder text, Exception ex)
    {
        text.Append(ex.GetType().FullName).Append(": (").Append(Withheld).Append(')');
        var inners = ex is AggregateException aggregate ? aggregate.InnerExceptions : ex.InnerException is { } inner ? [inner] : [];
        foreach (var innerException in inners)
        {
            text.Append(" ---> ");
            Append(text, innerException);
            text.AppendLine().Append("   --- End of inner exception stack trace ---");
        }
        if (ex.StackTrace is { } stack)
        {
            text.AppendLine().Append(stack);
        }
    }
}
