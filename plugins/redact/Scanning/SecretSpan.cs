namespace AgentSight.Plugins.Redact.Scanning;

/// <summary>A secret found in a text: the characters [Start, End) are replaced by the marker of rule <see cref="Rule"/>.</summary>
/// <param name="Start">First character of the secret.</param>
/// <param name="End">One past its last character.</param>
/// <param name="Rule">Index of the rule that found it (<see cref="SecretScanner.Rules"/>).</param>
/// <param name="Open">True when it ran into the end of a text that may continue, so its real end is not known yet.</param>
/// <param name="Continue">How it goes on in the text that follows, when <paramref name="Open"/>.</param>
internal readonly record struct SecretSpan(int Start, int End, int Rule, bool Open, Continuation Continue);
