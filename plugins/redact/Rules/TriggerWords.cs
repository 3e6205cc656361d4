namespace AgentSight.Plugins.Redact.Rules;

/// <summary>
/// Words found inside the names of credential headers, JSON keys and parameters. The name rules share them as
/// triggers and read the whole name around each hit: a few short triggers keep the scanner's vectorized
/// multi-string search on its fast path, where one trigger per name would not.
/// </summary>
internal static class TriggerWords
{
    /// <summary>
    /// Covers every built-in name: <c>key</c> (x-api-key, api_key, apiKey…), <c>token</c>, <c>secret</c>,
    /// <c>pass</c> (password, passwd, passphrase, DB_PASS), <c>auth</c> (authorization, authentication, x-auth-token),
    /// <c>cookie</c> (cookie, set-cookie), <c>bearer</c>, <c>pwd</c> (a connection string's Pwd=, MYSQL_PWD).
    /// </summary>
    public static IReadOnlyList<string> Common { get; } = ["key", "token", "secret", "pass", "auth", "cookie", "bearer", "pwd"];

    /// <summary>
    /// The common words, the last word of each name the user added, and <paramref name="more"/>, once each (ignoring case):
    /// what a rule that judges names searches for.
    /// </summary>
    public static IEnumerable<string> With(IEnumerable<string> extraNames, params string[] more) =>
        Common.Concat(more).Concat(extraNames.Select(LastWord)).Distinct(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// True when the trigger at <paramref name="at"/> cannot be a name's end although it must be: built-in names
    /// end with <c>token</c>, <c>key</c>, <c>secret</c>, <c>cookie</c> or <c>bearer</c> whenever they contain it,
    /// so <c>max_tokens</c> or <c>keyboard</c> (a lowercase letter right after) are rejected before any other work;
    /// <c>pass</c> only goes on as <c>passw…</c> or <c>passp…</c> (<c>passed</c>, <c>bypassing</c> are not names).
    /// Names found through another word of theirs (<c>password</c>, <c>authorization</c>) are not affected.
    /// </summary>
    public static bool CannotEndName(ReadOnlySpan<char> text, int at, string trigger) =>
        at + trigger.Length < text.Length && char.IsAsciiLetterLower(text[at + trigger.Length])
        && (trigger is "token" or "key" or "secret" or "cookie" or "bearer" or "pwd"
            || (trigger == "pass" && text[at + trigger.Length] is not ('w' or 'p')));

    /// <summary>The last word of a configured name (<c>x-acme-auth</c> → <c>auth</c>), which is where a trigger can sit.</summary>
    public static string LastWord(string name)
    {
        var cut = name.LastIndexOfAny(['-', '_', '.']);
        var word = (cut < 0 ? name : name[(cut + 1)..]).ToLowerInvariant();
        // Short words are too common to be triggers on their own: the name's end with its delimiter is used instead.
        return word.Length >= 3 ? word : name.ToLowerInvariant();
    }
}
