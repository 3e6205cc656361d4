namespace AgentSight.Plugins.Redact.Scanning;

/// <summary>
/// Which names carry credentials: header names, JSON keys and <c>name=value</c> parameters. Header names are
/// compared whole, ignoring case; keys and parameters are compared "normalized" (lowercase, without <c>-</c>,
/// <c>_</c> and <c>.</c>), so <c>api_key</c>, <c>api-key</c> and <c>apiKey</c> are one name.
/// </summary>
internal sealed class SecretNames
{
    /// <summary>The original's nine header names, then the ones it missed.</summary>
    public static IReadOnlyList<string> DefaultHeaders { get; } =
    [
        "authorization", "x-api-key", "x-auth-token", "bearer", "token", "x-access-token", "x-session-token", "cookie", "set-cookie",
        "proxy-authorization", "api-key", "x-goog-api-key", "x-amz-security-token", "x-csrf-token", "x-xsrf-token", "private-token",
        "x-gitlab-token", "x-vault-token", "x-functions-key", "ocp-apim-subscription-key", "x-apikey", "apikey", "x-authorization",
        "authentication", "x-client-secret", "x-refresh-token",
    ];

    /// <summary>Query and form parameters that carry credentials inside a URL (<c>?key=</c>, <c>&amp;access_token=</c>).</summary>
    public static IReadOnlyList<string> DefaultQueryParams { get; } =
    [
        "key", "api_key", "apikey", "token", "access_token", "refresh_token", "id_token", "auth_token", "api_token", "session_token",
        "auth", "signature", "sig", "password", "passwd", "secret", "client_secret", "x-amz-signature", "x-amz-security-token",
        "x-amz-credential", "x-goog-signature", "x-goog-credential", "pwd",
    ];

    /// <summary>JSON keys whose value is a credential whatever it looks like.</summary>
    private static readonly string[] DefaultJsonFields =
    [
        "api_key", "password", "passwd", "client_secret", "access_token", "refresh_token", "id_token", "auth_token", "session_token",
        "bearer_token", "api_token", "private_key", "secret_key", "secret_access_key", "authorization", "cookie",
    ];

    /// <summary>Endings of normalized names that mark a credential whatever the value looks like.</summary>
    private static readonly string[] CredentialEndings =
        ["apikey", "password", "passwd", "secret", "accesstoken", "refreshtoken", "authtoken", "sessiontoken", "privatekey", "secretkey", "accesskey",
            "accountkey", "passphrase"];

    /// <summary>
    /// Endings of environment variable names (upper case, words joined by <c>_</c>) whose value is a credential when it
    /// looks like one: <c>STRIPE_KEY</c>, <c>DB_PASS</c>, <c>MYSQL_PWD</c>, <c>NPM_AUTH</c>. Not <c>PWD</c> itself (the
    /// working directory).
    /// </summary>
    private static readonly string[] EnvironmentEndings = ["_KEY", "_PASS", "_PWD", "_AUTH"];

    private readonly HashSet<string> _headers;
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _headerLookup;
    private readonly HashSet<string> _jsonFields;
    private readonly HashSet<string> _urlParams;
    private readonly HashSet<string> _extraParams;
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _jsonFieldLookup;
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _urlParamLookup;
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _extraParamLookup;

    public SecretNames(IEnumerable<string> extraHeaders, IEnumerable<string> extraParams, IEnumerable<string> extraFields)
    {
        _headers = new HashSet<string>(DefaultHeaders.Concat(extraHeaders), StringComparer.OrdinalIgnoreCase);
        _jsonFields = new HashSet<string>(DefaultJsonFields.Concat(_headers).Concat(extraFields).Select(Normalize), StringComparer.Ordinal);
        // The header named "token" must not make every JSON "token" a credential: that is also a logprob's text.
        _jsonFields.Remove("token");
        _extraParams = new HashSet<string>(extraParams.Select(Normalize), StringComparer.Ordinal);
        _urlParams = new HashSet<string>(DefaultQueryParams.Select(Normalize).Concat(_extraParams), StringComparer.Ordinal);
        _headerLookup = _headers.GetAlternateLookup<ReadOnlySpan<char>>();
        _jsonFieldLookup = _jsonFields.GetAlternateLookup<ReadOnlySpan<char>>();
        _urlParamLookup = _urlParams.GetAlternateLookup<ReadOnlySpan<char>>();
        _extraParamLookup = _extraParams.GetAlternateLookup<ReadOnlySpan<char>>();
        ExtraHeaders = [.. extraHeaders];
        ExtraParams = [.. extraParams];
        ExtraFields = [.. extraFields];
    }

    /// <summary>Header names added by the configuration.</summary>
    public IReadOnlyList<string> ExtraHeaders { get; }

    /// <summary>Parameter names added by the configuration.</summary>
    public IReadOnlyList<string> ExtraParams { get; }

    /// <summary>JSON key names added by the configuration.</summary>
    public IReadOnlyList<string> ExtraFields { get; }

    /// <summary>Lowercase, without <c>-</c>, <c>_</c> and <c>.</c>.</summary>
    public static string Normalize(ReadOnlySpan<char> name)
    {
        Span<char> buffer = stackalloc char[Names.MaxName];
        return new string(Normalize(name, buffer));
    }

    public static string Normalize(string name) => Normalize(name.AsSpan());

    /// <summary>Normalizes into <paramref name="buffer"/> (names longer than it are cut: they are never credentials' names).</summary>
    private static ReadOnlySpan<char> Normalize(ReadOnlySpan<char> name, Span<char> buffer)
    {
        var length = 0;
        foreach (var c in name)
        {
            if (c is '-' or '_' or '.')
            {
                continue;
            }
            if (length == buffer.Length)
            {
                break;
            }
            buffer[length++] = char.ToLowerInvariant(c);
        }
        return buffer[..length];
    }

    public bool IsHeader(string name) => _headers.Contains(name);

    public bool IsHeader(ReadOnlySpan<char> name) => _headerLookup.Contains(name);

    /// <summary>Whether a JSON key (as written) names a credential, and whether its value must also look like one.</summary>
    public NameVerdict JsonField(ReadOnlySpan<char> name)
    {
        Span<char> buffer = stackalloc char[Names.MaxName];
        var normalized = Normalize(name, buffer);
        if (_jsonFieldLookup.Contains(normalized) || EndsWithCredential(normalized))
        {
            return NameVerdict.Always;
        }
        // "token" alone is also the text of a logprob, "auth" and "secret" ordinary words: only credential-shaped values.
        return normalized is "token" or "auth" or "secret" || normalized.EndsWith("token", StringComparison.Ordinal)
            ? NameVerdict.IfCredentialShaped
            : NameVerdict.No;
    }

    /// <summary>
    /// Whether <c>name=value</c> (the name as written) carries a credential. Inside a URL (after <c>?</c>,
    /// <c>&amp;</c>, <c>;</c> or <c>#</c>) every listed parameter does; elsewhere (an environment file, a command
    /// line, code) only names that clearly say so, because <c>key=</c> and <c>token=</c> are also ordinary keyword
    /// arguments.
    /// </summary>
    public NameVerdict Parameter(ReadOnlySpan<char> name, bool inUrl)
    {
        Span<char> buffer = stackalloc char[Names.MaxName];
        var normalized = Normalize(name, buffer);
        if (_extraParamLookup.Contains(normalized))
        {
            return NameVerdict.Always;
        }
        if (inUrl)
        {
            return _urlParamLookup.Contains(normalized) || EndsWithCredential(normalized) || normalized.EndsWith("token", StringComparison.Ordinal)
                   || normalized.EndsWith("signature", StringComparison.Ordinal)
                ? NameVerdict.Always
                : NameVerdict.No;
        }
        if (normalized is "token" or "secret")
        {
            return NameVerdict.IfCredentialShaped;
        }
        if (EndsWithCredential(normalized) || normalized.EndsWith("token", StringComparison.Ordinal))
        {
            return NameVerdict.Always;
        }
        return IsEnvironmentCredential(name) ? NameVerdict.IfCredentialShaped : NameVerdict.No;
    }

    /// <summary>An environment variable's name (<c>A-Z 0-9 _</c>) ending like a credential's (<see cref="EnvironmentEndings"/>).</summary>
    private static bool IsEnvironmentCredential(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty || name.IndexOfAnyExcept(EnvironmentChars) >= 0)
        {
            return false;
        }
        foreach (var ending in EnvironmentEndings)
        {
            if (name.EndsWith(ending, StringComparison.Ordinal) && name.Length > ending.Length)
            {
                return true;
            }
        }
        return false;
    }

    private static readonly System.Buffers.SearchValues<char> EnvironmentChars = System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");

    private static bool EndsWithCredential(ReadOnlySpan<char> normalized)
    {
        foreach (var ending in CredentialEndings)
        {
            if (normalized.EndsWith(ending, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>True when a value looks like a credential rather than a word: at least 8 characters, no spaces.</summary>
    public static bool IsCredentialShaped(ReadOnlySpan<char> value) =>
        value.Length >= 8 && value.IndexOfAny(' ', '\t', '\n') < 0;
}
