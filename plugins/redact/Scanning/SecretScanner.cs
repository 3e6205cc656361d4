using System.Buffers;
using System.Text;
using AgentSight.Plugins.Redact.Rules;

namespace AgentSight.Plugins.Redact.Scanning;

/// <summary>
/// Finds secrets in text: one vectorized multi-string search for every rule's triggers, and a rule's own check only
/// where one of its triggers is. Raw bytes are scanned as Latin-1 characters (one character per byte), so positions
/// map one to one and no decoding is needed; every trigger is ASCII.
/// </summary>
/// <remarks>Immutable after construction and shared by every instance a stage creates.</remarks>
internal sealed class SecretScanner
{
    private readonly SearchValues<string>? _triggers;
    private readonly bool _hasTriggers;

    /// <summary>Where triggers may start, one table lookup per character; null when the triggers do not allow it.</summary>
    private readonly TriggerPrefixFinder? _finder;
    private readonly Dictionary<char, (string Trigger, ScanRule Rule)[]> _byFirstChar;

    /// <summary>
    /// The triggers by their first two characters (ASCII, lowercased), in the same order as in
    /// <see cref="_byFirstChar"/>; null when a trigger is shorter or not ASCII. Common words share a first letter with
    /// many triggers ("t": token, tok…, "s": sk-, secret…): comparing only the few that share two letters saves most of
    /// the comparisons at each hit.
    /// </summary>
    private readonly Dictionary<int, (string Trigger, ScanRule Rule)[]>? _byFirstTwo;
    private readonly RegexRule[] _regexRules;
    private readonly int _longestTrigger;

    public SecretScanner(IReadOnlyList<ScanRule> rules)
    {
        Rules = rules;
        for (var i = 0; i < rules.Count; i++)
        {
            rules[i].Index = i;
        }
        var triggers = new List<(string Trigger, ScanRule Rule)>();
        var twoAsciiOrMore = true;
        foreach (var rule in rules)
        {
            foreach (var trigger in rule.Triggers)
            {
                triggers.Add((trigger, rule));
                twoAsciiOrMore &= trigger.Length >= 2 && Ascii.IsValid(trigger);
            }
        }
        _byFirstChar = Group(triggers, static t => char.ToLowerInvariant(t.Trigger[0]));
        if (twoAsciiOrMore)
        {
            _byFirstTwo = Group(triggers, static t => PairKey(t.Trigger[0], t.Trigger[1]));
        }
        var distinct = rules.SelectMany(r => r.Triggers).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        // Finding "sk-" also finds where "sk-ant-" is (every trigger matching at a hit is tried): fewer strings keep
        // the search on its vectorized path (Teddy) rather than Aho-Corasick, several times faster.
        var searched = distinct
            .Where(t => !distinct.Any(other => other.Length < t.Length && t.StartsWith(other, StringComparison.OrdinalIgnoreCase)))
            .ToArray();
        SearchedTriggers = searched;
        _finder = TriggerPrefixFinder.TryCreate(distinct);
        _hasTriggers = searched.Length > 0;
        // The general search only when the prefix table cannot serve: building it costs about 15 ms of every start.
        _triggers = _finder is null && _hasTriggers ? SearchValues.Create(searched, StringComparison.OrdinalIgnoreCase) : null;
        _longestTrigger = distinct.Length > 0 ? distinct.Max(t => t.Length) : 0;
        _regexRules = [.. rules.OfType<RegexRule>()];
        Order = Comparer<SecretSpan>.Create((a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start)
            : a.Rule == b.Rule ? b.End.CompareTo(a.End)
            : rules[b.Rule].Priority.CompareTo(rules[a.Rule].Priority));
    }

    /// <summary>Orders findings for <see cref="SpanMerger"/>: by start, then higher priority, then longer.</summary>
    public IComparer<SecretSpan> Order { get; }

    /// <summary>The strings the scanner searches for (for tests and benchmarks).</summary>
    public IReadOnlyList<string> SearchedTriggers { get; }

    /// <summary>Every rule, in the order their indexes refer to.</summary>
    public IReadOnlyList<ScanRule> Rules { get; }

    /// <summary>
    /// Adds the secrets of <paramref name="text"/> that start before <paramref name="searchEnd"/> (the rest of the
    /// text is context: a secret may run into it). Found secrets may overlap; <see cref="SpanMerger"/> sorts that out.
    /// </summary>
    public void Scan(ReadOnlySpan<char> text, int searchEnd, in ScanContext context, List<SecretSpan> spans) =>
        Scan(text, 0, searchEnd, context, spans);

    /// <summary>The length of the longest trigger: how far back a trigger cut by a boundary can start.</summary>
    public int LongestTrigger => _longestTrigger;

    /// <summary>
    /// Like <see cref="Scan(ReadOnlySpan{char}, int, in ScanContext, List{SecretSpan})"/>, looking for triggers only
    /// from <paramref name="searchStart"/> (the text before it is context that was searched already). Returns where
    /// the last trigger was found, or -1.
    /// </summary>
    public int Scan(ReadOnlySpan<char> text, int searchStart, int searchEnd, in ScanContext context, List<SecretSpan> spans)
    {
        searchEnd = Math.Min(searchEnd, text.Length);
        var lastHit = -1;
        if (_hasTriggers)
        {
            var position = Math.Max(0, searchStart);
            // A trigger that starts before searchEnd may end after it.
            var limit = Math.Min(text.Length, searchEnd + _longestTrigger);
            while (position < searchEnd)
            {
                var found = NextCandidate(text[position..limit]);
                if (found < 0)
                {
                    break;
                }
                var at = position + found;
                if (at >= searchEnd)
                {
                    break;
                }
                if (Dispatch(text, at, context, spans))
                {
                    lastHit = at;
                }
                position = at + 1;
            }
        }
        foreach (var rule in _regexRules)
        {
            rule.MatchAll(text, searchEnd, context, spans);
        }
        return lastHit;
    }

    /// <summary>True when no rule would find anything in <paramref name="text"/>: the fast path for most strings.</summary>
    public bool MayContainSecrets(ReadOnlySpan<char> text) => _regexRules.Length > 0 || HasTrigger(text);

    private bool HasTrigger(ReadOnlySpan<char> text)
    {
        if (_finder is null)
        {
            return _triggers is not null && text.IndexOfAny(_triggers) >= 0;
        }
        var position = 0;
        while (true)
        {
            var found = _finder.IndexOfCandidate(text[position..]);
            if (found < 0)
            {
                return false;
            }
            if (Candidates(text, position + found) is { } candidates && StartsWithAny(text[(position + found)..], candidates))
            {
                return true;
            }
            position += found + 1;
        }
    }

    /// <summary>Where in <paramref name="text"/> the next trigger may start: certainly with the fallback search.</summary>
    private int NextCandidate(ReadOnlySpan<char> text) =>
        _finder?.IndexOfCandidate(text) ?? text.IndexOfAny(_triggers!);

    private static bool StartsWithAny(ReadOnlySpan<char> rest, (string Trigger, ScanRule Rule)[] candidates)
    {
        foreach (var (trigger, _) in candidates)
        {
            if (rest.StartsWith(trigger, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Runs the rules of every trigger found at <paramref name="at"/>; false when none is there.</summary>
    private bool Dispatch(ReadOnlySpan<char> text, int at, in ScanContext context, List<SecretSpan> spans)
    {
        if (Candidates(text, at) is not { } candidates)
        {
            return false;
        }
        var rest = text[at..];
        var matched = false;
        foreach (var (trigger, rule) in candidates)
        {
            if (rest.StartsWith(trigger, StringComparison.OrdinalIgnoreCase))
            {
                matched = true;
                rule.Match(text, at, trigger, context, spans);
            }
        }
        return matched;
    }

    /// <summary>The triggers that could start at <paramref name="at"/>, judged by its first one or two characters.</summary>
    private (string Trigger, ScanRule Rule)[]? Candidates(ReadOnlySpan<char> text, int at)
    {
        (string Trigger, ScanRule Rule)[]? candidates;
        if (_byFirstTwo is not null && at + 1 < text.Length && char.IsAscii(text[at]) && char.IsAscii(text[at + 1]))
        {
            // Every trigger is ASCII: an ASCII character matches one ignoring case exactly when their lowercase forms
            // are equal, so the triggers with other first two letters could not match here.
            return _byFirstTwo.TryGetValue(PairKey(text[at], text[at + 1]), out candidates) ? candidates : null;
        }
        return _byFirstChar.TryGetValue(char.ToLowerInvariant(text[at]), out candidates) ? candidates : null;
    }

    /// <summary>
    /// The triggers grouped by <paramref name="key"/>, each group in the triggers' order. A loop, not LINQ: every LINQ
    /// operator over these value tuples is compiled at run time, about 15 ms of every start.
    /// </summary>
    private static Dictionary<TKey, (string Trigger, ScanRule Rule)[]> Group<TKey>(List<(string Trigger, ScanRule Rule)> triggers,
        Func<(string Trigger, ScanRule Rule), TKey> key)
        where TKey : notnull
    {
        var groups = new Dictionary<TKey, List<(string Trigger, ScanRule Rule)>>();
        foreach (var trigger in triggers)
        {
            var k = key(trigger);
            if (!groups.TryGetValue(k, out var group))
            {
                groups[k] = group = [];
            }
            group.Add(trigger);
        }
        var grouped = new Dictionary<TKey, (string Trigger, ScanRule Rule)[]>(groups.Count);
        foreach (var (k, group) in groups)
        {
            grouped[k] = [.. group];
        }
        return grouped;
    }

    private static int PairKey(char first, char second) => (char.ToLowerInvariant(first) << 16) | char.ToLowerInvariant(second);

    /// <summary>
    /// Where a secret left open by the previous text ends in this one, which starts at <paramref name="start"/>;
    /// <paramref name="stillOpen"/> when it runs through to the end (and the continuation to carry on with).
    /// </summary>
    public static int Continue(ReadOnlySpan<char> text, int start, Continuation continuation, out Continuation stillOpen)
    {
        var rest = text[start..];
        int length;
        switch (continuation.Kind)
        {
            case ContinueKind.Token:
                length = rest.IndexOfAnyExcept(continuation.Chars!);
                break;
            case ContinueKind.LineValue:
                length = rest.IndexOfAny(CharSets.LineEnds);
                break;
            case ContinueKind.QuotedValue:
                length = rest.IndexOfAny(CharSets.QuotedEnds);
                break;
            case ContinueKind.JsonString:
                length = JsonFieldRule.StringEnd(rest, 0);
                length = length >= rest.Length ? -1 : length;
                break;
            case ContinueKind.JsonEscapedString:
                length = rest.IndexOf('\\');
                break;
            case ContinueKind.ParamValue:
                length = rest.IndexOfAny(CharSets.ParamStops);
                break;
            case ContinueKind.UserInfo:
                length = rest.IndexOfAny(CharSets.UserInfoEnds);
                break;
            case ContinueKind.Unknown:
                length = rest.IndexOfAny(CharSets.UnknownEnds);
                break;
            case ContinueKind.Pem:
                var end = PemRule.EndOfBlock(rest, 0);
                length = end >= rest.Length ? -1 : end;
                break;
            case ContinueKind.Fixed:
                if (continuation.Remaining > rest.Length)
                {
                    stillOpen = Continuation.Fixed(continuation.Remaining - rest.Length);
                    return text.Length;
                }
                stillOpen = Continuation.None;
                return start + continuation.Remaining;
            default:
                stillOpen = Continuation.None;
                return start;
        }
        if (length < 0)
        {
            stillOpen = continuation;
            return text.Length;
        }
        stillOpen = Continuation.None;
        return start + length;
    }
}
