namespace AgentSight.Traffic;

/// <summary>A model as the request names it and as the response names it (often a dated snapshot).</summary>
/// <param name="Requested">What the request's <c>model</c> (or Gemini's URL) says.</param>
/// <param name="Responded">What the response reports.</param>
/// <param name="Reasons">True when the model spends reasoning tokens (OpenAI o-series/GPT-5, Gemini 2.5).</param>
internal sealed record ModelChoice(string Requested, string Responded, bool Reasons = false);
