using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentSight.Host.Manifest;

/// <summary>Changes to the manifest for one run, from the command line: <c>--enable</c>, <c>--disable</c>, <c>--set</c>.</summary>
internal sealed class PipelineOverrides
{
    public List<string> Enable { get; } = [];

    public List<string> Disable { get; } = [];

    /// <summary><c>--set STAGE.KEY=VALUE</c> texts, applied in order.</summary>
    public List<string> Set { get; } = [];

    /// <summary>Applies the overrides; reports each one that names no stage or is malformed.</summary>
    public void ApplyTo(PipelineManifest manifest, List<ManifestProblem> problems)
    {
        foreach (var id in Disable)
        {
            WithStage(manifest, "--disable", id, problems, stage => stage.Enabled = false);
        }
        foreach (var id in Enable)
        {
            WithStage(manifest, "--enable", id, problems, stage => stage.Enabled = true);
        }
        foreach (var text in Set)
        {
            var equals = text.IndexOf('=', StringComparison.Ordinal);
            var dot = text.IndexOf('.', StringComparison.Ordinal);
            if (equals < 0 || dot < 0 || dot > equals || dot == 0 || dot + 1 == equals)
            {
                problems.Add(new ManifestProblem("--set " + text, null, null, "expected STAGE.KEY=VALUE, e.g. --set file.path=session.jsonl"));
                continue;
            }
            var stageId = text[..dot];
            var keyPath = text[(dot + 1)..equals].Split('.');
            var value = ParseValue(text[(equals + 1)..]);
            WithStage(manifest, "--set " + text, stageId, problems, stage =>
            {
                var target = stage.Config ??= new JsonObject();
                foreach (var key in keyPath[..^1])
                {
                    if (target[key] is not JsonObject child)
                    {
                        child = new JsonObject();
                        target[key] = child;
                    }
                    target = child;
                }
                target[keyPath[^1]] = value;
            });
        }
    }

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

    private static void WithStage(PipelineManifest manifest, string option, string id, List<ManifestProblem> problems, Action<StageSpec> change)
    {
        var stage = manifest.Find(id);
        if (stage is null)
        {
            var ids = manifest.Stages.Select(s => s.Id).ToList();
            problems.Add(new ManifestProblem(option, null, null,
                $"no stage \"{id}\" in {manifest.Path} (stages: {string.Join(", ", ids)}){Suggest.DidYouMean(id, ids)}"));
            return;
        }
        change(stage);
    }
}
