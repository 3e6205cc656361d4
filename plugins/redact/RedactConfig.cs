using System.Text.RegularExpressions;
using AgentSight.Contracts;
using AgentSight.Plugins.Redact.Rules;

namespace AgentSight.Plugins.Redact;

/// <summary>Configuration of the <c>redact</c> analyzer. Every default is on: an empty section redacts everything it knows.</summary>
public sealed class RedactConfig : PluginConfig
{
    /// <summary>The longest accepted <see cref="HoldMs"/>.</summary>
    public const int MaxHoldMs = 10_000;

    /// <summary>The most accepted <see cref="MaxStreams"/>.</summary>
    public const int MaxStreamsLimit = 1_000_000;

    /// <summary>
    /// Only these rules (<c>enabled_rules</c>); default null: all of them. Names are those of docs/REDACTION.md
    /// (<c>header</c>, <c>json-field</c>, <c>query-param</c>, <c>anthropic-api-key</c>…).
    /// </summary>
    public List<string>? EnabledRules { get; set; }

    /// <summary>Rules switched off (<c>disabled_rules</c>); default none.</summary>
    public List<string> DisabledRules { get; set; } = [];

    /// <summary>
    /// More secrets to replace (<c>extra_patterns</c>): name → .NET regular expression; each match becomes
    /// <c>[REDACTED:name]</c>. Default none.
    /// </summary>
    public Dictionary<string, string> ExtraPatterns { get; set; } = [];

    /// <summary>More sensitive header names (<c>headers</c>), added to the built-in list; case is ignored. Default none.</summary>
    public List<string> Headers { get; set; } = [];

    /// <summary>More sensitive URL or form parameter names (<c>query_params</c>), added to the built-in list. Default none.</summary>
    public List<string> QueryParams { get; set; } = [];

    /// <summary>More sensitive JSON key names (<c>fields</c>), added to the built-in list. Default none.</summary>
    public List<string> Fields { get; set; } = [];

    /// <summary>
    /// How long a raw read waits for the next read of its connection and direction before it goes out on its own
    /// (<c>hold_ms</c>, pipeline time); default 200. A secret cut in two by a read boundary is found when both
    /// halves are seen together. 0 sends each read on at once: a cut secret is then still replaced on both sides
    /// when the first half is recognisable, but the end of a read may be replaced more than needed.
    /// </summary>
    public int HoldMs { get; set; } = 200;

    /// <summary>How many connections' read state is kept (<c>max_streams</c>); default 4096; the least recent goes first.</summary>
    public int MaxStreams { get; set; } = 4096;

    internal bool IsEnabled(string id) =>
        (EnabledRules is null || EnabledRules.Contains(id)) && !DisabledRules.Contains(id);

    /// <inheritdoc />
    public override IEnumerable<ConfigError> Validate()
    {
        var known = RuleCatalog.BuiltIn.Select(r => r.Id).ToList();
        foreach (var (key, list) in new[] { ("enabled_rules", EnabledRules), ("disabled_rules", DisabledRules) })
        {
            for (var i = 0; i < (list?.Count ?? 0); i++)
            {
                if (list![i] is not { } id || !known.Contains(id))
                {
                    yield return new ConfigError($"{key}[{i}]", $"unknown rule \"{list[i]}\" (known: {string.Join(", ", known)})");
                }
            }
        }
        foreach (var (name, pattern) in ExtraPatterns)
        {
            if (name.Length == 0 || name.Length > 40 || !name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
            {
                yield return new ConfigError($"extra_patterns.{name}", "the name must be 1 to 40 characters of a-z, 0-9 and '-' (it is shown as [REDACTED:name])");
                continue;
            }
            if (known.Contains(name))
            {
                yield return new ConfigError($"extra_patterns.{name}", $"\"{name}\" is a built-in rule's name; choose another");
                continue;
            }
            var problem = CheckPattern(pattern);
            if (problem is not null)
            {
                yield return new ConfigError($"extra_patterns.{name}", problem);
            }
        }
        foreach (var (key, list) in new[] { ("headers", Headers), ("query_params", QueryParams), ("fields", Fields) })
        {
            for (var i = 0; i < list.Count; i++)
            {
                if (string.IsNullOrWhiteSpace(list[i]) || !list[i].All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
                {
                    yield return new ConfigError($"{key}[{i}]", $"must be a name of letters, digits, '-', '_' or '.' (got \"{list[i]}\")");
                }
            }
        }
        if (HoldMs is < 0 or > MaxHoldMs)
        {
            yield return new ConfigError("hold_ms", $"must be between 0 and {MaxHoldMs} (got {HoldMs})");
        }
        if (MaxStreams is < 1 or > MaxStreamsLimit)
        {
            yield return new ConfigError("max_streams", $"must be between 1 and {MaxStreamsLimit} (got {MaxStreams})");
        }
    }

    private static string? CheckPattern(string? pattern)
    {
        if (string.IsNullOrEmpty(pattern))
        {
            return "the pattern is empty";
        }
        Regex regex;
        try
        {
            regex = new Regex(pattern, RegexRule.Options);
        }
        catch (ArgumentException ex)
        {
            return $"not a valid regular expression: {ex.Message}";
        }
        catch (NotSupportedException ex)
        {
            return $"not supported (patterns run without backtracking, so no lookarounds or backreferences): {ex.Message}";
        }
        return regex.IsMatch(string.Empty) ? "the pattern matches empty text, which would mark every position" : null;
    }
}
