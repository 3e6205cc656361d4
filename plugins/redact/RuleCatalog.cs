using System.Text.RegularExpressions;
using AgentSight.Plugins.Redact.Rules;
using AgentSight.Plugins.Redact.Scanning;

namespace AgentSight.Plugins.Redact;

/// <summary>The built-in rules by name, and the scanner a configuration asks for.</summary>
internal static class RuleCatalog
{
    /// <summary>Rules that look at names (headers, JSON keys, parameters) rather than at the secret itself.</summary>
    public const string Header = "header";

    public const string JsonField = "json-field";

    public const string QueryParam = "query-param";

    /// <summary>Every built-in rule's name with one line about it (for docs and errors).</summary>
    public static IReadOnlyList<(string Id, string About)> BuiltIn { get; } =
    [
        (Header, "values of sensitive headers, in header objects and in raw HTTP text"),
        (JsonField, "values of JSON keys named like credentials (api_key, password, client_secret…)"),
        (QueryParam, "values of name=value parameters named like credentials (?key=, &access_token=, OPENAI_API_KEY=, aws_secret_access_key = …)"),
        ("anthropic-api-key", "sk-ant-…"),
        ("openai-api-key", "sk-…, sk-proj-…, sk-svcacct-…"),
        ("openrouter-api-key", "sk-or-v1-…"),
        ("google-api-key", "AIza…"),
        ("aws-access-key", "AKIA…, ASIA…"),
        ("github-token", "ghp_…, gho_…, ghu_…, ghs_…, ghr_…, github_pat_…"),
        ("gitlab-token", "glpat-…"),
        ("slack-token", "xoxb-…, xoxp-…, xapp-…"),
        ("stripe-key", "sk_live_…, rk_live_…, sk_test_…, whsec_…"),
        ("huggingface-token", "hf_…"),
        ("npm-token", "npm_…"),
        ("groq-api-key", "gsk_…"),
        ("xai-api-key", "xai-…"),
        ("jwt", "JSON Web Tokens (eyJ….eyJ….…)"),
        ("bearer-token", "Bearer <token> anywhere in text"),
        ("basic-auth", "Basic <base64 of user:password> anywhere in text"),
        ("private-key", "PEM private keys, BEGIN to END"),
        ("config-field", "values of YAML lines named like credentials (password: …, token: …)"),
        ("url-userinfo", "passwords in URLs (https://user:password@host, postgresql://…)"),
        ("cli-flag", "credentials in command-line flags (--api-key …, --password …, curl -u user:pw, mysql -pPW)"),
        ("netrc", ".netrc passwords (machine … login … password …)"),
        ("pgpass", ".pgpass passwords (host:port:database:user:password)"),
    ];

    /// <summary>True when <paramref name="id"/> names a built-in rule.</summary>
    public static bool IsBuiltIn(string id) => BuiltIn.Any(r => r.Id == id);

    /// <summary>The scanner and names for a validated configuration.</summary>
    public static (SecretScanner Scanner, SecretNames Names) Build(RedactConfig config)
    {
        var names = new SecretNames(config.Headers, config.QueryParams, config.Fields);
        var rules = new List<ScanRule>
        {
            new HeaderLineRule(names),
            new JsonFieldRule(names),
            new AssignmentRule(names),
            new ConfigFieldRule(names),
            new UserInfoRule(),
            new FlagRule(names),
            new NetrcRule(),
            new PgpassRule(),
            new TokenRule("anthropic-api-key", ["sk-ant-"], CharSets.Token, minLength: 20),
            new TokenRule("openai-api-key", ["sk-"], CharSets.Token, minLength: 20, needsDigit: true, excluded: ["sk-ant-", "sk-or-"]),
            new TokenRule("openrouter-api-key", ["sk-or-"], CharSets.Token, minLength: 20),
            new TokenRule("google-api-key", ["AIza"], CharSets.Token, minLength: 35),
            new TokenRule("aws-access-key", ["AKIA", "ASIA", "ABIA", "ACCA"], CharSets.UpperDigits, minLength: 16, exactLength: 16),
            new TokenRule("github-token", ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"], CharSets.Base62, minLength: 30),
            new TokenRule("github-token", ["github_pat_"], CharSets.Base62Underscore, minLength: 22),
            new TokenRule("gitlab-token", ["glpat-"], CharSets.Token, minLength: 20),
            new TokenRule("slack-token", ["xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-", "xoxe-", "xapp-"], CharSets.Dashed, minLength: 10,
                triggers: ["xox", "xapp-"]),
            new TokenRule("stripe-key", ["sk_live_", "rk_live_", "sk_test_", "rk_test_", "whsec_"], CharSets.Base62, minLength: 16,
                triggers: ["sk_", "rk_", "whsec_"]),
            new TokenRule("huggingface-token", ["hf_"], CharSets.Base62, minLength: 30),
            new TokenRule("npm-token", ["npm_"], CharSets.Base62, minLength: 36),
            new TokenRule("groq-api-key", ["gsk_"], CharSets.Base62, minLength: 40),
            new TokenRule("xai-api-key", ["xai-"], CharSets.Base62, minLength: 40, needsDigit: true),
            new JwtRule(),
            AuthSchemeRule.Bearer(),
            AuthSchemeRule.Basic(),
            new PemRule(),
        };
        rules.RemoveAll(rule => !config.IsEnabled(rule.Id));
        foreach (var (name, pattern) in config.ExtraPatterns)
        {
            rules.Add(new RegexRule(name, new Regex(pattern, RegexRule.Options)));
        }
        if (rules.Count > 0)
        {
            // Marks what a stream whose state was lost replaces: it fails closed with the other rules.
            rules.Add(new LostStateRule());
        }
        return (new SecretScanner(rules), names);
    }
}
