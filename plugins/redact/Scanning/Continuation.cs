using System.Buffers;

namespace AgentSight.Plugins.Redact.Scanning;

/// <summary>How an open secret continues (see <see cref="ContinueKind"/>).</summary>
internal readonly record struct Continuation(ContinueKind Kind, SearchValues<char>? Chars = null, int Remaining = 0)
{
    public static Continuation None => default;

    public static Continuation Token(SearchValues<char> chars) => new(ContinueKind.Token, chars);

    public static Continuation Of(ContinueKind kind) => new(kind);

    public static Continuation Fixed(int remaining) => new(ContinueKind.Fixed, null, remaining);
}
