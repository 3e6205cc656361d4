using AgentSight.Plugins.Redact.Scanning;

namespace AgentSight.Plugins.Redact.Rules;

/// <summary>
/// Not a rule one configures: the marker of what is replaced because a stream's state was lost (more streams than
/// <c>max_streams</c> could remember), so a read that may continue a secret is replaced to its first line end or quote.
/// </summary>
internal sealed class LostStateRule() : ScanRule(Name, 0)
{
    public const string Name = "lost-stream-state";

    public override IEnumerable<string> Triggers => [];

    public override void Match(ReadOnlySpan<char> text, int at, string trigger, in ScanContext context, List<SecretSpan> spans)
    {
    }
}
