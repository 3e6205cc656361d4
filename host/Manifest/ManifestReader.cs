using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AgentSight.Contracts;
using AgentSight.Host.Pipeline;

namespace AgentSight.Host.Manifest;

/// <summary>Reads a manifest file and reports every mistake in it, each located by file and stage.</summary>
/// <remarks>
/// The format is JSON with comments and trailing commas allowed:
/// <c>{"stages":[{"plugin":"console","enabled":true,"config":{…}}, …]}</c>. Every problem found is reported, not
/// just the first, so one run shows the user everything to fix.
/// </remarks>
internal static partial class ManifestReader
{
    public const string DefaultFileName = "manifest.json";

    private static readonly string[] RootKeys = ["stages", "shutdown_timeout_s", "$schema", "description"];

    /// <summary>The longest shutdown bound a manifest or <c>--shutdown-timeout</c> may set, in seconds.</summary>
    public const double MaxShutdownTimeoutSeconds = 3600;
    private static readonly string[] StageKeys =
        ["plugin", "id", "enabled", "config", "queue_capacity", "backpressure", "max_failures", "on_error", "sha256", "description"];

    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._/-]*$")]
    private static partial Regex IdPattern();

    [GeneratedRegex("^[0-9a-fA-F]{64}$")]
    private static partial Regex Sha256Pattern();

    /// <summary>
    /// Reads <paramref name="path"/>. Returns null when it cannot be read as a manifest at all; otherwise the stages
    /// that could be read, with every problem added to <paramref name="problems"/> (the manifest is usable only when
    /// there is none).
    /// </summary>
    public static PipelineManifest? Read(string path, List<ManifestProblem> problems)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (FileNotFoundException)
        {
            problems.Add(new ManifestProblem(path, null, null, "not found (give another one with --manifest PATH)"));
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            problems.Add(new ManifestProblem(path, null, null, "not found: its folder does not exist (give another one with --manifest PATH)"));
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problems.Add(new ManifestProblem(path, null, null, $"cannot be read: {ex.Message}"));
            return null;
        }
        return Parse(path, text, problems);
    }

    /// <summary>Parses manifest text; <paramref name="path"/> only names it in problems.</summary>
    public static PipelineManifest? Parse(string path, string text, List<ManifestProblem> problems)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(text, documentOptions: DocumentOptions);
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? $":{line + 1}:{(ex.BytePositionInLine ?? 0) + 1}" : string.Empty;
            problems.Add(new ManifestProblem(path + where, null, null, $"malformed JSON: {StripPosition(ex.Message)}"));
            return null;
        }
        if (root is not JsonObject rootObject)
        {
            problems.Add(new ManifestProblem(path, null, null, "must be a JSON object with a \"stages\" list"));
            return null;
        }
        foreach (var (key, _) in rootObject)
        {
            if (!RootKeys.Contains(key))
            {
                problems.Add(new ManifestProblem(path, null, null,
                    $"unknown key \"{key}\" at the top level (expected \"stages\"){Suggest.DidYouMean(key, RootKeys)}"));
            }
        }
        if (rootObject["stages"] is not JsonArray stageArray)
        {
            problems.Add(new ManifestProblem(path, null, null, "needs a \"stages\" list: [{\"plugin\": \"console\"}, …]"));
            return null;
        }

        var shutdownTimeout = ReadShutdownTimeout(rootObject["shutdown_timeout_s"], rootObject.ContainsKey("shutdown_timeout_s"),
            message => problems.Add(new ManifestProblem(path, null, null, message)));
        var stages = new List<StageSpec>();
        var positionsById = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < stageArray.Count; i++)
        {
            var stage = ReadStage(path, i + 1, stageArray[i], problems);
            if (stage is null)
            {
                continue;
            }
            if (positionsById.TryGetValue(stage.Id, out var first))
            {
                problems.Add(new ManifestProblem(path, stage.Position, stage.Id,
                    $"duplicate id: stage {first} already has the id \"{stage.Id}\"; give one of them a distinct \"id\""));
                continue;
            }
            positionsById[stage.Id] = stage.Position;
            stages.Add(stage);
        }
        // Returned even with problems, holding every stage that could be read, so resolving it can report the
        // plugin and config mistakes of those stages too: one run shows everything to fix.
        return new PipelineManifest(path, stages) { ShutdownTimeout = shutdownTimeout };
    }

    /// <summary>Reads <c>shutdown_timeout_s</c>: seconds from 0 (wait forever) to <see cref="MaxShutdownTimeoutSeconds"/>.</summary>
    private static TimeSpan? ReadShutdownTimeout(JsonNode? node, bool present, Action<string> problem)
    {
        if (!present)
        {
            return null;
        }
        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.TryGetValue(out double seconds)
            && TryShutdownTimeout(seconds, out var timeout))
        {
            return timeout;
        }
        problem($"\"shutdown_timeout_s\" must be a number of seconds from 0 to {MaxShutdownTimeoutSeconds} (got {node?.ToJsonString() ?? "null"}); 0 waits forever");
        return null;
    }

    /// <summary>A shutdown bound in seconds, when it is one: 0 (wait forever) to <see cref="MaxShutdownTimeoutSeconds"/>.</summary>
    public static bool TryShutdownTimeout(double seconds, out TimeSpan timeout)
    {
        timeout = default;
        if (!double.IsFinite(seconds) || seconds < 0 || seconds > MaxShutdownTimeoutSeconds)
        {
            return false;
        }
        timeout = TimeSpan.FromSeconds(seconds);
        return true;
    }

    private static StageSpec? ReadStage(string path, int position, JsonNode? node, List<ManifestProblem> problems)
    {
        if (node is not JsonObject stage)
        {
            problems.Add(new ManifestProblem(path, position, "?", "must be an object like {\"plugin\": \"console\"}"));
            return null;
        }
        var plugin = stage["plugin"] is JsonValue p && p.TryGetValue(out string? pluginName) ? pluginName.Trim() : null;
        var explicitId = stage["id"] is JsonValue idValue && idValue.TryGetValue(out string? idText) && IdPattern().IsMatch(idText) ? idText : null;
        var id = explicitId ?? plugin ?? "?";
        void Problem(string message) => problems.Add(new ManifestProblem(path, position, id, message));

        if (string.IsNullOrEmpty(plugin))
        {
            Problem("needs \"plugin\": the name of a plugin folder");
        }
        if (stage.ContainsKey("id") && explicitId is null)
        {
            Problem("\"id\" must be a string of letters, digits, '.', '_', '-' or '/'");
        }
        foreach (var (key, _) in stage)
        {
            if (!StageKeys.Contains(key))
            {
                Problem($"unknown key \"{key}\" (expected {string.Join(", ", StageKeys)}){Suggest.DidYouMean(key, StageKeys)}");
            }
        }

        var enabled = ReadBool(stage, "enabled", true, Problem);
        var capacity = ReadInt(stage, "queue_capacity", 1, StageSettings.MaxQueueCapacity, Problem);
        var maxFailures = ReadInt(stage, "max_failures", 0, int.MaxValue, Problem);

        Backpressure? backpressure = null;
        if (stage.ContainsKey("backpressure"))
        {
            if (stage["backpressure"] is JsonValue bp && bp.TryGetValue(out string? bpText) && BackpressureNames.TryParse(bpText, out var parsed))
            {
                backpressure = parsed;
            }
            else
            {
                Problem($"\"backpressure\" must be one of {string.Join(", ", BackpressureNames.All.Select(n => $"\"{n}\""))}");
            }
        }

        OnError? onError = null;
        if (stage.ContainsKey("on_error"))
        {
            switch (stage["on_error"] is JsonValue oe && oe.TryGetValue(out string? oeText) ? oeText : null)
            {
                case "pass":
                    onError = OnError.Pass;
                    break;
                case "drop":
                    onError = OnError.Drop;
                    break;
                default:
                    Problem("\"on_error\" must be \"pass\" (the event goes on unchanged) or \"drop\"");
                    break;
            }
        }

        string? sha256 = null;
        if (stage.ContainsKey("sha256"))
        {
            if (stage["sha256"] is JsonValue pin && pin.TryGetValue(out string? pinText) && Sha256Pattern().IsMatch(pinText))
            {
                sha256 = pinText.ToLowerInvariant();
            }
            else
            {
                Problem("\"sha256\" must be the 64 hex digits of the plugin assembly's SHA-256 (as sha256sum prints it)");
            }
        }

        JsonObject? config = null;
        switch (stage["config"])
        {
            case null:
                break;
            case JsonObject configObject:
                stage.Remove("config");
                config = configObject;
                break;
            default:
                Problem("\"config\" must be an object");
                break;
        }

        if (plugin is null)
        {
            return null;
        }
        // Returned even with problems, so later stages are still checked for duplicate ids.
        return new StageSpec
        {
            Position = position,
            Id = id,
            Plugin = plugin,
            Enabled = enabled,
            Config = config,
            QueueCapacity = capacity,
            Backpressure = backpressure,
            MaxFailures = maxFailures,
            OnError = onError,
            Sha256 = sha256,
        };
    }

    private static bool ReadBool(JsonObject stage, string key, bool fallback, Action<string> problem)
    {
        if (!stage.ContainsKey(key))
        {
            return fallback;
        }
        if (stage[key] is JsonValue value && value.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetValue<bool>();
        }
        problem($"\"{key}\" must be true or false");
        return fallback;
    }

    private static int? ReadInt(JsonObject stage, string key, int min, int max, Action<string> problem)
    {
        if (!stage.ContainsKey(key))
        {
            return null;
        }
        if (stage[key] is JsonValue value && value.TryGetValue(out int number) && number >= min && number <= max)
        {
            return number;
        }
        problem(max == int.MaxValue
            ? $"\"{key}\" must be a whole number of at least {min} (got {stage[key]?.ToJsonString() ?? "null"})"
            : $"\"{key}\" must be a whole number from {min} to {max} (got {stage[key]?.ToJsonString() ?? "null"})");
        return null;
    }

    /// <summary>System.Text.Json appends " LineNumber: … | BytePositionInLine: …"; the location is already in front.</summary>
    private static string StripPosition(string message)
    {
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (cut >= 0 ? message[..cut] : message).TrimEnd(' ', '.', '|') + ".";
    }
}
