using System.Text.Json;
using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Tests.Analyzers.Support;
using AgentSight.Tests.Support;
using static AgentSight.Tests.Analyzers.Redact.RedactHarness;

namespace AgentSight.Tests.Analyzers.Redact;

/// <summary>
/// Credentials recognised by their context (URL userinfo, command-line flags, configuration files, connection
/// strings), wherever they travel: a prompt, a raw request, a process's argv, a file's content.
/// </summary>
public sealed class RedactCredentialFormsTests
{
    public static TheoryData<string> FormNames => [.. SecretCorpus.Forms.Select(f => f.Name)];

    private static (SecretCorpus.Form Form, string Secret) Planted(string formName)
    {
        var index = SecretCorpus.Forms.ToList().FindIndex(f => f.Name == formName);
        return (SecretCorpus.Forms[index], SecretCorpus.Forms[index].Secret(new Random(500 + index)));
    }

    [Theory]
    [MemberData(nameof(FormNames))]
    public void Each_form_is_replaced_as_plain_text_in_any_string_field(string formName)
    {
        var (form, secret) = Planted(formName);
        var evt = Some.JsonEvent("llm", new JsonObject { ["text"] = "Here it is:\n" + form.With(secret) + "\nthanks" });

        var output = Run(evt);

        Leaks.AssertNone(secret, output);
        Assert.Contains("[REDACTED:", evt.Fields!["text"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(FormNames))]
    public void Each_form_is_replaced_in_a_prompt_through_the_whole_chain(string formName)
    {
        var (form, secret) = Planted(formName);
        var content = JsonSerializer.Serialize("Please check this:\n" + form.With(secret));
        var request = $"{{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":100,\"messages\":[{{\"role\":\"user\",\"content\":{content}}}]}}";
        var wire = new Wire().Write(Wire.Request(request)).Read(Wire.Response(
            "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":[{\"type\":\"text\",\"text\":\"ok\"}],\"stop_reason\":\"end_turn\",\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}"));

        var chain = RedactChain.Run(wire.Events);

        Assert.Single(chain.OfSource("llm"));
        Leaks.AssertNone(secret, chain.Output);
    }

    [Theory]
    [MemberData(nameof(FormNames))]
    public void Each_form_is_replaced_in_raw_bytes_cut_at_every_position(string formName)
    {
        var (form, secret) = Planted(formName);
        var text = "cat config\n" + form.With(secret) + "\nok\n";

        for (var cut = 1; cut < text.Length; cut += 3)
        {
            var output = Run(Raw(text[..cut]), Raw(text[cut..], timestamp: Some.Epoch + 1_000_000));

            Leaks.AssertNone(secret, output);
        }
    }

    [Theory]
    [MemberData(nameof(FormNames))]
    public void Command_forms_are_replaced_in_a_process_argv_and_url_forms_in_a_request_line(string formName)
    {
        var (form, secret) = Planted(formName);
        var events = new List<AgentEvent>();
        if (form.Kind == "command")
        {
            events.Add(Some.JsonEvent(EventSources.Process, new JsonObject
            {
                ["event"] = "EXEC",
                ["filename"] = "/usr/bin/" + form.Template.Split(' ')[0],
                ["argv"] = new JsonArray([.. Argv(form.With(secret)).Select(a => (JsonNode)a)]),
            }));
            events.Add(Some.JsonEvent(EventSources.Process, new JsonObject { ["event"] = "BASH_READLINE", ["command"] = form.With(secret) }));
        }
        else if (form.Kind == "url")
        {
            var url = form.With(secret);
            events.Add(Raw($"GET {url} HTTP/1.1\r\nhost: example.com\r\n\r\n"));
            events.Add(Some.JsonEvent(EventSources.Process, new JsonObject { ["event"] = "EXEC", ["argv"] = new JsonArray("curl", "-s", url) }));
            events.Add(Some.JsonEvent(EventSources.Process, new JsonObject { ["event"] = "FILE_OPEN", ["filepath"] = "/tmp/" + Uri.EscapeDataString(url) }));
        }
        else
        {
            return;
        }

        var output = Run([.. events]);

        Leaks.AssertNone(secret, output);
    }

    [Fact]
    public void Flags_split_over_argv_elements_are_replaced_and_the_command_stays_readable()
    {
        var secret = "Zx8-pq2_RT77vb";
        var exec = Some.JsonEvent(EventSources.Process, new JsonObject
        {
            ["event"] = "EXEC",
            ["argv"] = new JsonArray("curl", "-sS", "-u", "admin:" + secret, "--api-key", secret, "-H", "x-api-key: " + secret, "https://api.example.com/v1"),
        });
        var mysql = Some.JsonEvent(EventSources.Process, new JsonObject { ["event"] = "EXEC", ["argv"] = new JsonArray("mysql", "-uroot", "-p" + secret, "app") });

        Run(exec, mysql);

        Assert.Equal(
            "[\"curl\",\"-sS\",\"-u\",\"admin:[REDACTED:cli-flag]\",\"--api-key\",\"[REDACTED:cli-flag]\",\"-H\",\"x-api-key: [REDACTED:header]\",\"https://api.example.com/v1\"]",
            exec.Fields!["argv"]!.ToJsonString());
        Assert.Equal("[\"mysql\",\"-uroot\",\"-p[REDACTED:cli-flag]\",\"app\"]", mysql.Fields!["argv"]!.ToJsonString());
    }

    [Theory]
    [InlineData("git clone https://oauth2:glXq9z-AbCdEf12@gitlab.com/g/p.git", "git clone https://oauth2:[REDACTED:url-userinfo]@gitlab.com/g/p.git")]
    [InlineData("DATABASE_URL=postgresql://app:s3cr3t-pw@db:5432/app", "DATABASE_URL=postgresql://app:[REDACTED:url-userinfo]@db:5432/app")]
    [InlineData("https:\\/\\/user:hunter22x@host\\/p", "https:\\/\\/user:[REDACTED:url-userinfo]@host\\/p")]
    [InlineData("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\nregion = us-east-1", "aws_secret_access_key = [REDACTED:query-param]\nregion = us-east-1")]
    [InlineData("db:\n  password: hunter2\n  port: 5432", "db:\n  password: [REDACTED:config-field]\n  port: 5432")]
    [InlineData("machine example.com login me password hunter2xy", "machine example.com login me password [REDACTED:netrc]")]
    [InlineData("localhost:5432:app:me:hunter2xy\n", "localhost:5432:app:me:[REDACTED:pgpass]\n")]
    [InlineData("Server=db;Uid=sa;Pwd=hunter2xy;", "Server=db;Uid=sa;Pwd=[REDACTED:query-param];")]
    [InlineData("STRIPE_KEY=rk_abc123def456\nDEBUG=1", "STRIPE_KEY=[REDACTED:query-param]\nDEBUG=1")]
    [InlineData("curl -u admin:hunter2xy https://x", "curl -u admin:[REDACTED:cli-flag] https://x")]
    [InlineData("tool --token abcdef123456 --verbose", "tool --token [REDACTED:cli-flag] --verbose")]
    public void Each_new_rule_replaces_just_the_secret(string text, string expected)
    {
        var evt = Some.JsonEvent("llm", new JsonObject { ["text"] = text });

        Run(evt);

        Assert.Equal(expected, evt.Fields!["text"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("git clone https://github.com/acme/app.git && ssh git@github.com")]
    [InlineData("see https://api.anthropic.com:443/v1/messages and http://localhost:8080/x?y=1")]
    [InlineData("mkdir -p build && cp -u a b && git push -u origin main && docker run -p 8080:80 img")]
    [InlineData("PWD=/home/me/project\nOLDPWD=/home/me\nSSH_AUTH_SOCK=/tmp/ssh-XXXX/agent.1")]
    [InlineData("password = request.form['password']\ntoken = get_token()\napi_key = os.environ[\"API_KEY\"]")]
    [InlineData("Password: enter it when asked\nThe token: is described below")]
    [InlineData("12:54:30 started, ratio 3:2, see item 1:5432:x")]
    [InlineData("mysql> SELECT 1; -- the -p flag prompts")]
    [InlineData("the --password flag reads from stdin; use --token-file path")]
    public void Ordinary_commands_urls_and_code_are_left_alone(string text)
    {
        var evt = Some.JsonEvent("llm", new JsonObject { ["text"] = text });

        Run(evt);

        Assert.Equal(text, evt.Fields!["text"]!.GetValue<string>());
    }

    /// <summary>A command line split into words the way a shell would (quotes grouped, not kept).</summary>
    private static List<string> Argv(string command)
    {
        var words = new List<string>();
        var word = new System.Text.StringBuilder();
        char? quote = null;
        var inWord = false;
        foreach (var c in command)
        {
            if (quote is { } q)
            {
                if (c == q)
                {
                    quote = null;
                }
                else
                {
                    word.Append(c);
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
                inWord = true;
            }
            else if (c == ' ')
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }
            }
            else
            {
                word.Append(c);
                inWord = true;
            }
        }
        if (inWord)
        {
            words.Add(word.ToString());
        }
        return words;
    }
}
