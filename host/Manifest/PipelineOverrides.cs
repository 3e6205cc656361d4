using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentSight.Host.Manifest;

/// <summary>Changes to the manifest for one run, from the command line: <c>--enable</c>, <c>--disable</c>, <c>--set</c>.</summary>
/// <remarks>
/// Wherever a stage id goes, <c>role:NAME</c> (<see cref="Role"/>) names the stages whose plugin declares that role
/// (<c>StageRoles</c> in the contracts): the commands' own changes are written that way, so that they reach a renamed
/// or replaced plugin. A role names every stage of it for <c>--disable</c>, the first one (in manifest order)
/// otherwise. docs/MANIFEST.md, "Roles".
/// </remarks>
internal sealed class PipelineOverrides
{
    /// <summary>What starts a role reference.</summary>
    public const string RolePrefix = "role:";

    /// <summary>A reference to the stages of a role, usable wherever a stage id is.</summary>
    public static string Role(string role) => RolePrefix + role;

    /// <summary>A <c>--set</c> of a role's key (<c>RoleKeys</c>) on the first stage of the role; <paramref name="json"/> is the value as JSON.</summary>
    public static string SetOfRole(string role, string key, string json) => $"{Role(role)}.{key}={json}";

    /// <summary>
    /// <paramref name="value"/> as a JSON string (quoted, escaped), for a <c>--set</c>. Written by a
    /// <see cref="Utf8JsonWriter"/>, not the reflection serializer, whose first use costs tens of milliseconds of start-up.
    /// </summary>
    public static string Json(string value) => Json(writer => writer.WriteStringValue(value));

    /// <summary><paramref name="values"/> as a JSON array of strings, for a <c>--set</c> (see <see cref="Json(string)"/>).</summary>
    public static string Json(IEnumerable<string> values) => Json(writer =>
    {
        writer.WriteStartArray();
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }
        writer.WriteEndArray();
    });

    private static string Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public List<string> Enable { get; } = [];

    public List<string> Disable { get; } = [];

    /// <summary>
    /// Stages a command cannot run without (<c>record</c>'s session file), with what the command needs each for: enabled
    /// after <see cref="Disable"/>, and a <c>--disable</c> that names one is a problem, never silently undone.
    /// </summary>
    public List<(string Stage, string NeededFor)> Require { get; } = [];

    /// <summary><c>--set STAGE.KEY=VALUE</c> texts, applied in order.</summary>
    public List<string> Set { get; } = [];

    /// <summary>Stages a command turns off by default when the manifest has them (no problem when it has not).</summary>
    public List<string> DisableIfPresent { get; } = [];

    /// <summary>Stages a command turns on by default when the manifest has them (no problem when it has not).</summary>
    public List<string> EnableIfPresent { get; } = [];

    /// <summary>
    /// Top-level config values a command sets by default when the manifest has the stage (its exact id). Applied
    /// before <c>--enable</c>, <c>--disable</c> and <c>--set</c>, so the user's own flags win.
    /// </summary>
    public List<(string Stage, string Key, JsonNode Value)> SetIfPresent { get; } = [];

    /// <summary>
    /// When set, the only sinks of this run, by role (<c>serve</c> and <c>report</c> keep just the web UI): the stages
    /// of each are enabled, and an installed plugin that declares it is added with its defaults when the manifest has no
    /// stage for it; every other sink is left out once the plan is resolved (<see cref="PipelineLoader"/>). Analyzers
    /// stay as the manifest has them.
    /// </summary>
    public IReadOnlyList<string>? OnlySinkRoles { get; set; }

    /// <summary>
    /// Leave the analyzers out of this run (a stored session's events were analyzed when it was recorded), except
    /// fail-closed ones (<c>on_error: drop</c>, such as redaction), which always run.
    /// </summary>
    public bool NoAnalyzers { get; set; }

    /// <summary>
    /// Leave out the analyzers whose plugins declare any of these roles, except fail-closed ones: <c>replay</c> of a
    /// recording that already holds their output leaves out the analyzers that would derive it a second time.
    /// </summary>
    public IReadOnlyList<string> LeaveOutAnalyzerRoles { get; set; } = [];

    /// <summary>The shutdown bound for this run (<c>--shutdown-timeout</c>), over the manifest's <c>shutdown_timeout_s</c>.</summary>
    public TimeSpan? ShutdownTimeout { get; set; }

    /// <summary>Applies the overrides to a manifest, without roles (every stage reference is an id).</summary>
    public PipelineManifest ApplyTo(PipelineManifest manifest, List<ManifestProblem> problems) => ApplyTo(manifest, problems, StageRoleLookup.None);

    /// <summary>Applies the overrides; reports each one that names no stage or is malformed.</summary>
    /// <returns>The manifest, with a stage added for each of <see cref="OnlySinkRoles"/> it lacked.</returns>
    public PipelineManifest ApplyTo(PipelineManifest manifest, List<ManifestProblem> problems, StageRoleLookup roles)
    {
        if (ShutdownTimeout is { } timeout)
        {
            manifest = manifest with { ShutdownTimeout = timeout };
        }
        if (OnlySinkRoles is { } only)
        {
            var stages = manifest.Stages.ToList();
            foreach (var role in only)
            {
                var existing = stages.Where(s => roles.RolesOf(s).Contains(role)).ToList();
                if (existing.Count == 0 && roles.PluginWithRole(role, manifest) is { } plugin)
                {
                    stages.Add(new StageSpec { Position = stages.Count + 1, Id = plugin, Plugin = plugin });
                }
                else if (existing.Count == 0)
                {
                    problems.Add(new ManifestProblem(manifest.Path, null, null,
                        $"no stage of the manifest and no installed plugin fills the role \"{role}\" this command needs (docs/MANIFEST.md, \"Roles\")"));
                }
                foreach (var stage in existing)
                {
                    stage.Enabled = true;
                }
            }
            manifest = manifest with { Stages = stages };
        }
        foreach (var id in DisableIfPresent)
        {
            foreach (var stage in Every(manifest, id, roles))
            {
                stage.Enabled = false;
            }
        }
        foreach (var id in EnableIfPresent)
        {
            if (First(manifest, id, roles) is { } stage)
            {
                stage.Enabled = true;
            }
        }
        foreach (var (id, key, value) in SetIfPresent)
        {
            if (First(manifest, id, roles) is { } stage)
            {
                (stage.Config ??= new JsonObject())[key] = value.DeepClone();
            }
        }
        foreach (var id in Disable)
        {
            var stages = Every(manifest, id, roles);
            if (stages.Count == 0)
            {
                Missing(manifest, "--disable", id, problems);
            }
            foreach (var stage in stages)
            {
                stage.Enabled = false;
            }
        }
        foreach (var (id, neededFor) in Require)
        {
            if (First(manifest, id, roles) is not { } required)
            {
                Missing(manifest, "--enable", id, problems);
                continue;
            }
            foreach (var disabled in Disable.Where(d => Every(manifest, d, roles).Contains(required)))
            {
                problems.Add(new ManifestProblem("--disable " + disabled, null, null,
                    $"this command needs the stage \"{required.Id}\" ({neededFor}); it cannot be disabled here"));
            }
            required.Enabled = true;
        }
        foreach (var id in Enable)
        {
            WithStage(manifest, "--enable", id, problems, roles, stage => stage.Enabled = true);
        }
        foreach (var text in Set)
        {
            var equals = text.IndexOf('=', StringComparison.Ordinal);
            var target = equals < 0 ? text : text[..equals];
            if (equals < 0 || target.Length == 0)
            {
                problems.Add(new ManifestProblem("--set " + text, null, null, "expected STAGE.KEY=VALUE, e.g. --set file.path=session.jsonl"));
                continue;
            }
            StageSpec? stage;
            string reference;
            if (target.StartsWith(RolePrefix, StringComparison.Ordinal))
            {
                // Role names hold no dot: the key starts after the first one.
                var dot = target.IndexOf('.', StringComparison.Ordinal);
                reference = dot < 0 ? target : target[..dot];
                stage = dot < 0 ? null : First(manifest, reference, roles);
            }
            else
            {
                // Stage ids may contain dots (plugins named like Acme.DropHealthChecks): the longest matching id wins.
                stage = manifest.Stages
                    .Where(s => target.Length > s.Id.Length + 1 && target.StartsWith(s.Id + ".", StringComparison.OrdinalIgnoreCase))
                    .MaxBy(s => s.Id.Length);
                var dot = target.IndexOf('.', StringComparison.Ordinal);
                reference = dot <= 0 ? string.Empty : target[..dot];
            }
            if (stage is null)
            {
                if (reference.Length == 0 || reference.Length == target.Length)
                {
                    problems.Add(new ManifestProblem("--set " + text, null, null, "expected STAGE.KEY=VALUE, e.g. --set file.path=session.jsonl"));
                    continue;
                }
                Missing(manifest, "--set " + text, reference, problems);
                continue;
            }
            var keyPath = target[(target.StartsWith(RolePrefix, StringComparison.Ordinal) ? reference.Length + 1 : stage.Id.Length + 1)..].Split('.');
            var value = ParseValue(text[(equals + 1)..]);
            var section = stage.Config ??= new JsonObject();
            foreach (var key in keyPath[..^1])
            {
                if (section[key] is not JsonObject child)
                {
                    child = new JsonObject();
                    section[key] = child;
                }
                section = child;
            }
            section[keyPath[^1]] = value;
        }
        return manifest;
    }

    /// <summary>The stage an id names, or the first stage of a role.</summary>
    private static StageSpec? First(PipelineManifest manifest, string reference, StageRoleLookup roles) =>
        reference.StartsWith(RolePrefix, StringComparison.Ordinal)
            ? manifest.Stages.FirstOrDefault(s => roles.RolesOf(s).Contains(reference[RolePrefix.Length..]))
            : manifest.Find(reference);

    /// <summary>The stage an id names, or every stage of a role.</summary>
    private static List<StageSpec> Every(PipelineManifest manifest, string reference, StageRoleLookup roles) =>
        reference.StartsWith(RolePrefix, StringComparison.Ordinal)
            ? [.. manifest.Stages.Where(s => roles.RolesOf(s).Contains(reference[RolePrefix.Length..]))]
            : manifest.Find(reference) is { } stage ? [stage] : [];

    /// <summary>JSON when the text is JSON (numbers, true, false, null, quoted strings, objects), otherwise a string.</summary>
    internal static JsonNode? ParseValue(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return JsonValue.Create(text);
        }
    }

    private static void WithStage(PipelineManifest manifest, string option, string id, List<ManifestProblem> problems, StageRoleLookup roles,
        Action<StageSpec> change)
    {
        if (First(manifest, id, roles) is { } stage)
        {
            change(stage);
            return;
        }
        Missing(manifest, option, id, problems);
    }

    private static void Missing(PipelineManifest manifest, string option, string id, List<ManifestProblem> problems)
    {
        if (id.StartsWith(RolePrefix, StringComparison.Ordinal))
        {
            problems.Add(new ManifestProblem(option, null, null,
                $"no stage of {manifest.Path} fills the role \"{id[RolePrefix.Length..]}\" (a plugin declares its roles; docs/MANIFEST.md, \"Roles\")"));
            return;
        }
        var ids = manifest.Stages.Select(s => s.Id).ToList();
        problems.Add(new ManifestProblem(option, null, null,
            $"no stage \"{id}\" in {manifest.Path} (stages: {string.Join(", ", ids)}){Suggest.DidYouMean(id, ids)}"));
    }
}
