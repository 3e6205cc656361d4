using System.Text;

namespace AgentSight.Tests.Analyzers.Redact;

/// <summary>
/// Every form of secret <c>redact</c> must catch, in one place: the key shapes recognised anywhere (with a generator
/// of random keys of each shape), and the named forms (a credential recognised by what surrounds it: a header, a
/// URL's userinfo, a command-line flag, a line of a configuration file…). Grow it with every new form.
/// </summary>
internal static class SecretCorpus
{
    private const string Upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private const string Lower = "abcdefghijklmnopqrstuvwxyz";
    private const string Digits = "0123456789";
    private const string Base62 = Upper + Lower + Digits;
    private const string TokenChars = Base62 + "-_";

    /// <summary>A key format: its public prefix, and a random body that the format's rule accepts.</summary>
    /// <param name="Name">The shape's name (the rule that finds it, and a variant where one rule has several).</param>
    /// <param name="Prefix">What every key of the shape starts with: public, it may stay.</param>
    /// <param name="Body">A random body for the prefix.</param>
    public sealed record Shape(string Name, string Prefix, Func<Random, string> Body)
    {
        public string Make(Random random) => Prefix + Body(random);

        public override string ToString() => Name;
    }

    /// <summary>A credential recognised by its context. <c>{V}</c> in <see cref="Template"/> is the secret.</summary>
    /// <param name="Name">The form.</param>
    /// <param name="Template">The text around the secret, with <c>{V}</c> where it goes.</param>
    /// <param name="Kind">Where such text lives: <c>text</c> (anywhere), <c>command</c> (a command line: also split into argv),
    /// <c>url</c> (a URL: also percent-encoded), <c>file</c> (a configuration file's lines).</param>
    /// <param name="TokenOnly">The secret must be a token (letters, digits, <c>-</c>, <c>_</c>, with digits), not any password.</param>
    public sealed record Form(string Name, string Template, string Kind, bool TokenOnly = false)
    {
        public string With(string secret) => Template.Replace("{V}", secret, StringComparison.Ordinal);

        /// <summary>A random secret for this form.</summary>
        public string Secret(Random random, int length = 20) =>
            TokenOnly ? Random(random, Upper + Lower, 1) + WithDigit(random, TokenChars, Math.Max(length, 20) - 2) + Digits[random.Next(10)]
                : Password(random, length);

        public override string ToString() => Name;
    }

    /// <summary>Every key shape recognised anywhere, by its rule.</summary>
    public static IReadOnlyList<Shape> Shapes { get; } =
    [
        new("anthropic-api-key", "sk-ant-api03-", r => Random(r, TokenChars, 93) + "AA"),
        new("anthropic-api-key/oauth", "sk-ant-oat01-", r => Random(r, TokenChars, 80)),
        new("openai-api-key/project", "sk-proj-", r => WithDigit(r, TokenChars, 120)),
        new("openai-api-key/service-account", "sk-svcacct-", r => WithDigit(r, TokenChars, 60)),
        new("openai-api-key/legacy", "sk-", r => WithDigit(r, Base62, 48)),
        new("openrouter-api-key", "sk-or-v1-", r => Random(r, Digits + "abcdef", 64)),
        new("google-api-key", "AIza", r => Random(r, TokenChars, 35)),
        new("aws-access-key", "AKIA", r => Random(r, Upper + Digits, 16)),
        new("github-token/classic", "ghp_", r => Random(r, Base62, 36)),
        new("github-token/fine-grained", "github_pat_", r => Random(r, Base62, 22) + "_" + Random(r, Base62, 59)),
        new("gitlab-token", "glpat-", r => Random(r, TokenChars, 20)),
        new("slack-token", "xoxb-", r => Random(r, Digits, 11) + "-" + Random(r, Digits, 12) + "-" + Random(r, Base62, 24)),
        new("stripe-key", "sk_live_", r => Random(r, Base62, 99)),
        new("huggingface-token", "hf_", r => Random(r, Base62, 34)),
        new("npm-token", "npm_", r => Random(r, Base62, 36)),
        new("groq-api-key", "gsk_", r => Random(r, Base62, 52)),
        new("xai-api-key", "xai-", r => WithDigit(r, Base62, 80)),
        new("jwt", "eyJ", r => "hbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9." + Base64Url(r, 60) + "." + Base64Url(r, 43)),
    ];

    /// <summary>Every form recognised by its context; the secret in each is <c>{V}</c>.</summary>
    public static IReadOnlyList<Form> Forms { get; } =
    [
        // Headers, raw and in a command.
        new("header-line", "x-api-key: {V}\r\n", "text"),
        new("authorization-bearer", "Authorization: Bearer {V}\r\n", "text"),
        new("curl-header", "curl -H \"Authorization: Bearer {V}\" https://api.example.com/v1/me", "command"),
        new("curl-header-single-quoted", "curl -s -H 'x-api-key: {V}' https://api.example.com/v1/me", "command"),
        // JSON.
        new("json-api-key", "{\"api_key\":\"{V}\",\"model\":\"m\"}", "text"),
        new("json-password", "{\"user\":\"app\",\"password\":\"{V}\"}", "text"),
        new("json-client-secret", "{\"client_id\":\"abc\",\"client_secret\":\"{V}\"}", "text"),
        // URL parameters.
        new("query-key", "https://generativelanguage.googleapis.com/v1beta/models/m:generateContent?key={V}&alt=sse", "url"),
        new("query-access-token", "https://example.com/cb?state=1&access_token={V}", "url"),
        // URL userinfo.
        new("userinfo-https", "https://deploy:{V}@registry.example.com/v2/", "url"),
        new("userinfo-git-clone", "git clone https://oauth2:{V}@gitlab.com/group/project.git", "command"),
        new("userinfo-postgresql", "postgresql://app:{V}@db.internal:5432/app?sslmode=require", "url"),
        new("userinfo-redis-no-user", "redis://:{V}@cache.internal:6379/0", "url"),
        new("userinfo-mongodb-srv", "mongodb+srv://admin:{V}@cluster0.example.net/test", "url"),
        new("userinfo-token-only", "git remote add origin https://{V}@github.com/acme/app.git", "command", TokenOnly: true),
        // Command-line flags.
        new("curl-u", "curl -u admin:{V} https://api.example.com/v1/status", "command"),
        new("curl-user", "curl --user admin:{V} https://api.example.com/v1/status", "command"),
        new("mysql-p", "mysql -h db -u root -p{V} app", "command"),
        new("mysqldump-p", "mysqldump -uroot -p{V} app > dump.sql", "command"),
        new("flag-api-key", "llm-cli --api-key {V} --model m \"hello\"", "command"),
        new("flag-token", "gh-tool --token {V} repo list", "command"),
        new("flag-password", "vault-cli login --password {V} --user admin", "command"),
        new("flag-client-secret-quoted", "az-tool --client-secret \"{V}\" --tenant t", "command"),
        new("sshpass", "sshpass -p {V} ssh deploy@host", "command"),
        new("redis-cli-a", "redis-cli -h cache -a {V} ping", "command"),
        // Environment files and shell.
        new("env-api-key", "API_KEY={V}\n", "file"),
        new("env-export-token", "export TOKEN={V}\n", "file"),
        new("env-quoted", "OPENAI_API_KEY=\"{V}\"\n", "file"),
        new("env-service-key", "STRIPE_KEY={V}\nDEBUG=1\n", "file"),
        new("env-db-pass", "DB_PASS={V}\n", "file"),
        // Configuration files.
        new("aws-credentials", "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = {V}\nregion = us-east-1\n", "file"),
        new("ini-password", "[database]\nhost = db\npassword = {V}\n", "file"),
        new("toml-token", "[auth]\ntoken = \"{V}\"\n", "file"),
        new("yaml-password", "database:\n  host: db\n  user: app\n  password: {V}\n  port: 5432\n", "file"),
        new("yaml-token", "auth:\n  token: {V}\n", "file"),
        new("yaml-quoted-api-key", "api_key: \"{V}\"\n", "file"),
        new("yaml-list-secret", "env:\n  - name: APP\n    secret: {V}\n", "file"),
        new("netrc-one-line", "machine api.example.com login me password {V}\n", "file"),
        new("netrc-lines", "machine api.example.com\n  login me@example.com\n  password {V}\n", "file"),
        new("pgpass", "localhost:5432:app:app_user:{V}\n", "file"),
        new("pgpass-wildcards", "*:*:*:postgres:{V}\n", "file"),
        new("connection-string", "Server=db.internal;Database=app;User Id=sa;Password={V};Encrypt=true", "text"),
        new("connection-string-pwd", "Driver={ODBC Driver 18};Server=db;Uid=sa;Pwd={V};", "text"),
        new("connection-string-spaced", "Host=db;Username=app;Password = {V};Pooling=true", "text"),
        // Schemes in text.
        new("bearer-in-text", "call it with Bearer {V} as the header", "text"),
    ];

    /// <summary>A password-like secret: letters and digits with a few separators, starting with a letter.</summary>
    public static string Password(Random random, int length = 20) =>
        Random(random, Upper + Lower, 1) + WithDigit(random, Base62 + "_-.", length - 1);

    /// <summary>Where the random part of a secret made for a form starts (0: all of it is secret).</summary>
    public static int PrefixOf(string secret) => Shapes.FirstOrDefault(s => secret.StartsWith(s.Prefix, StringComparison.Ordinal) && s.Prefix.Length > 3)?.Prefix.Length ?? 0;

    private static string Random(Random random, string alphabet, int length)
    {
        var builder = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            builder.Append(alphabet[random.Next(alphabet.Length)]);
        }
        return builder.ToString();
    }

    private static string WithDigit(Random random, string alphabet, int length)
    {
        var body = Random(random, alphabet, length).ToCharArray();
        body[random.Next(length)] = Digits[random.Next(10)];
        return new string(body);
    }

    private static string Base64Url(Random random, int length) => Random(random, Base62 + "-_", length);
}
