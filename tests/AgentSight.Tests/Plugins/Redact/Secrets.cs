namespace AgentSight.Tests.Analyzers.Redact;

/// <summary>Fake credentials shaped like the real ones; their bodies are random, so no part of them occurs by chance.</summary>
internal static class Secrets
{
    public const string Anthropic = "sk-ant-api03-Zq7mK2pX9vR4tY8wB3nC6dF1gH5jL0sQ2aE7uI9oP4kM8xV3bN6zT1yW5rD0fG2hJ7kL9qA4sE8dF3gH6jK1lZ0xC5vB7nM2qW9eR4tYAA";

    public const string OpenAi = "sk-proj-Xc4Vb8Nm2Lk6Jh0Gf3Ds7Aq1Wz5Er9Ty3Ui7Op2As6Df0Gh4Jk8Lz1Xc5Vb9Nm3Qw7Er2Ty6UiT3BlbkFJo0Pa4Sd8Fg2Hj6Kl1Zx5Cv9Bn3Mq7We1Rt5Yu9Io3Pa7Sd1Fg5Hj9Kl3Zx7Cv";

    public const string Google = "AIzaSyD4fG7hJ2kL9mN3pQ6rS8tU1vW5xY0zA3b";

    public const string GitHub = "ghp_R8sT2uV6wX0yZ4aB7cD1eF5gH9iJ3kL6mN0p";

    public const string Aws = "AKIAQ3R7T2W5Y8Z1B4C6";

    public const string Slack = "xoxb-2048301293-5820485729-Kd8Fj3Lm9Qp2Rs7Tv1Wx";

    public const string Stripe = "sk_live_51Hq8Lk2Mn7Pq3Rs9Tv4Wx6Yz0Ab";

    public const string Jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkFsaWNlIn0.Qm9dF3kLp8Xz2Vc7Bn4Mq1Wr6Ts9Yu0Io5Pa";

    public const string Password = "Tr0ub4dor&3-horse-battery";

    public const string Cookie = "sess_9fK2mX7qL4vB8nR3tY6wZ1cD5gH0jP";

    /// <summary>Where each secret's random part starts (its prefix is public knowledge and may remain).</summary>
    public static int PrefixOf(string secret) => secret switch
    {
        Anthropic => "sk-ant-api03-".Length,
        OpenAi => "sk-proj-".Length,
        Google => "AIza".Length,
        GitHub => "ghp_".Length,
        Aws => "AKIA".Length,
        Slack => "xoxb-".Length,
        Stripe => "sk_live_".Length,
        Jwt => "eyJ".Length,
        _ => 0,
    };

    public static IEnumerable<string> All => [Anthropic, OpenAi, Google, GitHub, Aws, Slack, Stripe, Jwt, Password, Cookie];
}
