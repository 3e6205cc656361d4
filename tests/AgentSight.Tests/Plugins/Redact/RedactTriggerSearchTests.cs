using System.Text.Json.Nodes;
using AgentSight.Plugins.Redact;
using AgentSight.Plugins.Redact.Scanning;
using AgentSight.Tests.Support;
using CsCheck;
using static AgentSight.Tests.Analyzers.Redact.RedactHarness;

namespace AgentSight.Tests.Analyzers.Redact;

/// <summary>
/// The scanner looks for triggers with a table of their first three characters (TriggerPrefixFinder), not with
/// SearchValues: it must find a trigger wherever a case-insensitive search would, and never anywhere else.
/// </summary>
public sealed class RedactTriggerSearchTests
{
    private static readonly SecretScanner Scanner = RuleCatalog.Build(new RedactConfig()).Scanner;

    /// <summary>Pieces of triggers, their neighbours in the alphabet, and the two non-ASCII letters whose uppercase is ASCII.</summary>
    private static readonly Gen<string> Texts = Gen.OneOf(
            Gen.OneOf(Scanner.SearchedTriggers.Select(Gen.Const).ToArray()),
            Gen.OneOf(Scanner.SearchedTriggers.Select(t => Gen.Const(t[..Math.Max(1, t.Length - 1)])).ToArray()),
            Gen.OneOf("x", "xx", "ke", "to", "se", "ı", "ſ", "K", "\u212a", "é", " ", ":", "/", "-", "_", "=", "\"", "a", "Z"),
            Gen.Char.Select(c => c.ToString()))
        .Array[0, 40]
        .Select(Gen.Bool.Array[0, 400], (parts, flips) =>
        {
            var chars = string.Concat(parts).ToCharArray();
            for (var i = 0; i < chars.Length && i < flips.Length; i++)
            {
                chars[i] = flips[i] ? char.ToUpperInvariant(chars[i]) : chars[i];
            }
            return new string(chars);
        });

    [Fact]
    public void A_trigger_is_found_exactly_where_a_case_insensitive_search_finds_one()
    {
        Gen.Select(Texts, Gen.Int[0, 3]).Sample((text, skip) =>
        {
            var expected = Scanner.SearchedTriggers.Any(t => text.AsSpan(Math.Min(skip, text.Length)).IndexOf(t, StringComparison.OrdinalIgnoreCase) >= 0);

            Assert.Equal(expected, Scanner.MayContainSecrets(text.AsSpan(Math.Min(skip, text.Length))));
        }, iter: 20_000);
    }

    [Fact]
    public void A_key_after_a_long_run_of_one_letter_or_of_near_triggers_is_still_redacted()
    {
        // Runs like these made the old search verify a candidate at almost every position.
        foreach (var filler in new[] { new string('x', 5000), string.Concat(Enumerable.Repeat("xo-ke-to-", 600)), string.Concat(Enumerable.Repeat("ſı", 2000)) })
        {
            var evt = Some.JsonEvent("http", new JsonObject { ["body"] = filler + " api_key=" + Secrets.OpenAi + " " + filler });

            var output = Run(evt);

            var body = Assert.Single(output).Fields!["body"]!.GetValue<string>();
            Assert.DoesNotContain(Secrets.OpenAi, body);
            Assert.StartsWith(filler, body);
        }
    }
}
