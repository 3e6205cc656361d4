using System.Text;
using System.Text.Json;
using AgentSight.Contracts;
using AgentSight.Plugins.Web.Server;
using AgentSight.Plugins.Web.Session;
using static AgentSight.Tests.WebUi.SessionEvents;

namespace AgentSight.Tests.Analyzers.Redact;

/// <summary>
/// Commands an agent runs with a credential on their command line, and files it opens with one in their path, go
/// through the default chain into the web UI's session: its process tree, process details, timeline and event list
/// show the commands and paths, never the credentials.
/// </summary>
public sealed class RedactProcessTreeTests
{
    private const string Password = "Tq7-vX2_pLm9Rs4w";
    private const string GitLabToken = "glpat-Xy7Qm2Vk9Lp4Rt8Wn3Zs";
    private const string AnthropicKey = "sk-ant-api03-Qm9dF3kLp8Xz2Vc7Bn4Mq1Wr6Ts9Yu0Io5PaZq7mK2pX9vR4tY8wB3nC6dF1gH5jL0sQ2aAA";

    private static List<AgentEvent> AgentSession() =>
    [
        Exec(0.1, 200, 100, "claude", "claude", "-p", "deploy it"),
        Fork(1.0, 300, 200, "git"),
        Exec(1.1, 300, 200, "git", "git", "clone", $"https://oauth2:{GitLabToken}@gitlab.com/acme/app.git"),
        Exit(2.0, 300, 200, "git", 0),
        Fork(2.1, 301, 200, "curl"),
        Exec(2.2, 301, 200, "curl", "curl", "-sS", "-u", $"admin:{Password}", "-H", $"Authorization: Bearer {AnthropicKey}",
            "https://api.example.com/v1/deploy"),
        Open(2.3, 301, "curl", $"/home/me/.cache/keys/{AnthropicKey}.json", 0),
        Exit(2.4, 301, 200, "curl", 0),
        Fork(2.5, 302, 200, "mysql"),
        Exec(2.6, 302, 200, "mysql", "mysql", "-h", "db", "-uroot", $"-p{Password}", "app"),
        Exit(2.7, 302, 200, "mysql", 1),
        Fork(2.8, 303, 200, "deploy"),
        Exec(2.9, 303, 200, "deploy", "deploy", "--api-key", AnthropicKey, "--token", Password, "--env", "prod"),
        // A cache file named after the URL it holds, percent-encoded.
        Open(3.0, 303, "deploy", $"/home/me/.cache/deploy/https%3A%2F%2Fci%3A{Password}%40registry.example.com%2Fv2", WriteFlags),
        Exit(3.5, 303, 200, "deploy", 0),
    ];

    private static SessionIndex Index(IEnumerable<AgentEvent> events)
    {
        var index = new SessionIndex(10_000);
        foreach (var evt in events)
        {
            index.Add(evt, Encoding.UTF8.GetBytes(AgentEventJson.ToJson(evt)), receivedAtMs: 1);
        }
        return index;
    }

    [Fact]
    public void The_process_tree_shows_each_command_with_its_credentials_replaced()
    {
        using var index = Index(RedactChain.Run(AgentSession()).Output);

        var commands = index.Processes().Items.Where(p => p.Pid >= 200).OrderBy(p => p.Pid).Select(p => p.CommandLine).ToList();

        Assert.Equal(
        [
            "claude -p deploy it",
            "git clone https://oauth2:[REDACTED:url-userinfo]@gitlab.com/acme/app.git",
            "curl -sS -u admin:[REDACTED:cli-flag] -H Authorization: Bearer [REDACTED:header] https://api.example.com/v1/deploy",
            "mysql -h db -uroot -p[REDACTED:cli-flag] app",
            "deploy --api-key [REDACTED:cli-flag] --token [REDACTED:cli-flag] --env prod",
        ], commands);
    }

    [Fact]
    public void No_view_of_the_session_holds_any_part_of_a_credential()
    {
        using var index = Index(RedactChain.Run(AgentSession()).Output);
        var processes = index.Processes();

        var views = new StringBuilder()
            .Append(JsonSerializer.Serialize(processes, ApiJson.Options))
            .Append(JsonSerializer.Serialize(index.Timeline(null, null, 50), ApiJson.Options))
            .Append(JsonSerializer.Serialize(index.Events(new EventFilter(), before: null, limit: 100), ApiJson.Options));
        foreach (var process in processes.Items)
        {
            views.Append(JsonSerializer.Serialize(index.Process(process.Id), ApiJson.Options));
        }
        var text = Leaks.Decode(views.ToString());

        Assert.Contains("/home/me/.cache/keys/[REDACTED:anthropic-api-key].json", text, StringComparison.Ordinal);
        foreach (var (secret, prefix) in new[] { (Password, 0), (GitLabToken, 6), (AnthropicKey, 13) })
        {
            RedactHarness.AssertNoPartOf(secret, text, prefix);
        }
    }
}
