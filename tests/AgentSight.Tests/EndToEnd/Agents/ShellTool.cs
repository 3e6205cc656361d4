using System.Text.Json.Nodes;

namespace AgentSight.Tests.Agents;

/// <summary>
/// The shell tool an agent offered in a request's tools list, and how to call it with one command: the arguments are
/// shaped from the tool's own JSON schema (a <c>command</c> string, or an argv array such as
/// <c>["bash","-lc",CMD]</c>, a <c>cmd</c> string; a <c>description</c> when the schema has one; the other required
/// properties from their default, first enum value or type; nothing else: Codex's <c>exec_command</c> refuses a
/// <c>justification</c> without <c>sandbox_permissions</c>).
/// </summary>
/// <param name="Name">The tool's name as offered (<c>Bash</c>, <c>shell_command</c>, <c>exec_command</c>, <c>bash</c>, <c>run_shell_command</c>, …).</param>
/// <param name="IsLocalShell">An OpenAI built-in <c>{"type":"local_shell"}</c> tool: called with a <c>local_shell_call</c> item, not a function call.</param>
/// <param name="Schema">The tool's parameters schema, if it has one.</param>
public sealed record ShellTool(string Name, bool IsLocalShell, JsonObject? Schema)
{
    private static readonly string[] CommandProperties = ["command", "cmd", "script"];

    /// <summary>The description put in the call when the schema has a <c>description</c> property.</summary>
    public const string Description = "Print the AgentSight marker";

    /// <summary>Picks the shell tool from a request's tools (name, schema): the first preferred name offered, else any name with shell, bash or exec in it.</summary>
    public static ShellTool? Pick(IReadOnlyList<(string Name, JsonObject? Schema)> offered, IReadOnlyList<string> preferred)
    {
        foreach (var name in preferred)
        {
            foreach (var tool in offered)
            {
                if (tool.Name == name)
                {
                    return new ShellTool(tool.Name, false, tool.Schema);
                }
            }
        }
        foreach (var tool in offered)
        {
            var lower = tool.Name.ToLowerInvariant();
            if (lower.Contains("shell", StringComparison.Ordinal) || lower.Contains("bash", StringComparison.Ordinal) || lower.StartsWith("exec", StringComparison.Ordinal))
            {
                return new ShellTool(tool.Name, false, tool.Schema);
            }
        }
        return null;
    }

    /// <summary>The argv a <c>local_shell</c> call or an array-typed command property gets.</summary>
    public static JsonArray Argv(string command) => ["bash", "-lc", command];

    /// <summary>The call's arguments for <paramref name="command"/>, shaped by the schema.</summary>
    public JsonObject Arguments(string command)
    {
        var arguments = new JsonObject();
        if (IsLocalShell)
        {
            arguments["command"] = Argv(command);
            return arguments;
        }
        var properties = Schema?["properties"] as JsonObject;
        if (properties is null)
        {
            arguments["command"] = command;
            return arguments;
        }
        var required = (Schema?["required"] as JsonArray)?.Select(n => n?.GetValue<string>()).OfType<string>().ToHashSet() ?? [];
        var commandSet = false;
        foreach (var (name, property) in properties)
        {
            var type = TypeOf(property);
            if (!commandSet && CommandProperties.Contains(name))
            {
                arguments[name] = type == "array" ? Argv(command) : command;
                commandSet = true;
            }
            else if (name == "description" && type is "string" or null)
            {
                arguments[name] = Description;
            }
            else if (required.Contains(name))
            {
                arguments[name] = DefaultFor(property, type);
            }
        }
        if (!commandSet)
        {
            arguments["command"] = command;
        }
        return arguments;
    }

    private static string? TypeOf(JsonNode? property) => property?["type"] switch
    {
        // Gemini's schemas spell types in capitals (STRING, OBJECT).
        JsonValue value when value.TryGetValue<string>(out var type) => type.ToLowerInvariant(),
        JsonArray types => types.Select(t => t?.GetValue<string>().ToLowerInvariant()).FirstOrDefault(t => t is not null and not "null"),
        _ => null,
    };

    private static JsonNode? DefaultFor(JsonNode? property, string? type)
    {
        if (property?["default"] is { } fallback)
        {
            return fallback.DeepClone();
        }
        if (property?["enum"] is JsonArray { Count: > 0 } values)
        {
            return values[0]?.DeepClone();
        }
        return type switch
        {
            "boolean" => false,
            "integer" or "number" => property?["minimum"]?.DeepClone() ?? 1,
            "array" => new JsonArray(),
            "object" => new JsonObject(),
            _ => "agentsight",
        };
    }
}
