using AgentSight.Plugins.Redact.Scanning;

namespace AgentSight.Plugins.Redact.Rules;

/// <summary>A JSON Web Token: three base64url parts joined by dots, the first one a JSON object (<c>eyJ…</c>).</summary>
internal sealed class JwtRule() : ScanRule("jwt", 10)
{
    private const int MinPart = 10;

    public override IEnumerable<string> Triggers => ["eyJ"];

    public override void Match(ReadOnlySpan<char> text, int at, string trigger, in ScanContext context, List<SecretSpan> spans)
    {
        if (!text[at..].StartsWith("eyJ", StringComparison.Ordinal) || (at > 0 && CharSets.Jwt.Contains(text[at - 1])))
        {
            return;
        }
        var headerEnd = RunEnd(text, at, CharSets.Token);
        if (RunsOff(text, headerEnd, context))
        {
            Add(at, headerEnd, spans);
            return;
        }
        if (headerEnd - at < MinPart || headerEnd >= text.Length || text[headerEnd] != '.')
        {
            return;
        }
        var payloadEnd = RunEnd(text, headerEnd + 1, CharSets.Token);
        if (RunsOff(text, payloadEnd, context))
        {
            Add(at, payloadEnd, spans);
            return;
        }
        if (payloadEnd - headerEnd - 1 < MinPart || payloadEnd >= text.Length || text[payloadEnd] != '.')
        {
            return;
        }
        var signatureEnd = RunEnd(text, payloadEnd + 1, CharSets.Token);
        spans.Add(new SecretSpan(at, signatureEnd, Index, RunsOff(text, signatureEnd, context), Continuation.Token(CharSets.Jwt)));
    }

    private void Add(int start, int end, List<SecretSpan> spans) => spans.Add(new SecretSpan(start, end, Index, true, Continuation.Token(CharSets.Jwt)));
}
