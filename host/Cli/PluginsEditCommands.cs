using System.CommandLine;
using AgentSight.Contracts;
using AgentSight.Host.Hosting;
using AgentSight.Host.Manifest;
using AgentSight.Host.Plugins;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentSight.Host.Cli;

/// <summary>
/// <c>plugins install | enable | disable | remove</c>: change the plugins folder and the manifest so no one edits
/// JSON by hand. The manifest is edited as text, keeping the order and comments of every other entry.
/// </summary>
internal static class PluginsEditCommands
{
    public static IEnumerable<Command> Create(GlobalOptions global)
    {
        var source = new Argument<string>("SOURCE") { Description = "The plugin's publish folder (dotnet publish -o DIR), or its main .dll" };
        var force = new Option<bool>("--force") { Description = "Replace an installed plugin of the same name" };
        var disabled = new Option<bool>("--disabled") { Description = "Add its stage to the manifest disabled" };
        var noPin = new Option<bool>("--no-pin") { Description = "Do not pin the plugin's SHA-256 in the manifest" };
        var install = new Command("install", "Copy a plugin into the plugins folder and add it to the manifest (analyzers before redact and the sinks)");
        install.Arguments.Add(source);
        install.Options.Add(force);
        install.Options.Add(disabled);
        install.Options.Add(noPin);
        install.SetAction(parse => Install(global.Read(parse), parse.GetValue(source)!, parse.GetValue(force), parse.GetValue(disabled),
            parse.GetValue(noPin), Console.Out));
        yield return install;

        foreach (var (verb, enable) in new[] { ("enable", true), ("disable", false) })
        {
            var name = new Argument<string>("NAME") { Description = "A stage id, or the name of a plugin (enable adds a stage for an installed plugin not in the manifest)" };
            var command = new Command(verb, enable ? "Enable a stage (or add one for an installed plugin)" : "Disable a stage");
            command.Arguments.Add(name);
            command.SetAction(parse => SetEnabled(global.Read(parse), parse.GetValue(name)!, enable, Console.Out));
            yield return command;
        }

        var removeName = new Argument<string>("PLUGIN") { Description = "The plugin to remove" };
        var keepFiles = new Option<bool>("--keep-files") { Description = "Only take it out of the manifest; leave its folder" };
        var remove = new Command("remove", "Take a plugin's stages out of the manifest and delete its folder");
        remove.Arguments.Add(removeName);
        remove.Options.Add(keepFiles);
        remove.SetAction(parse => Remove(global.Read(parse), parse.GetValue(removeName)!, parse.GetValue(keepFiles), Console.Out));
        yield return remove;
    }

    public static int Install(HostSettings settings, string source, bool force, bool disabled, bool noPin, TextWriter output)
    {
        var safety = FileSafety.ForCurrentProcess(settings.AllowWritablePlugins);
        if (UnsafeManifest(settings, safety) is { } unsafeManifest)
        {
            return Fail(unsafeManifest, ExitCodes.Usage);
        }
        InstalledPlugin plugin;
        try
        {
            // As root, the source must pass the checks the loader applies, before any of its code can run (docs/PLUGINS.md).
            plugin = PluginInstaller.Install(source, settings.PluginsDirectory, force, safety);
        }
        catch (InstallException ex)
        {
            return Fail(ex.Message, ExitCodes.Usage);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Fail($"could not install into {settings.PluginsDirectory}: {ex.Message}", ExitCodes.Failure);
        }
        output.WriteLine($"Installed {plugin.Name} {plugin.Version} ({Kind(plugin.Kind)}) into {Path.Combine(settings.PluginsDirectory, plugin.Name)}"
            + (plugin.Replaced ? ", replacing the previous copy" : string.Empty));

        return EditManifest(settings, output, (editor, factoryOf) =>
        {
            var stages = editor.Stages.Where(s => Same(s.Plugin, plugin.Name)).ToList();
            if (stages.Count > 0)
            {
                foreach (var stage in stages.AsEnumerable().Reverse())
                {
                    if (!noPin)
                    {
                        editor.SetString(stage, "sha256", plugin.Sha256);
                    }
                }
                return $"Kept its {stages.Count} existing stage(s) in {{0}}" + (noPin ? string.Empty : ", with the new SHA-256 pinned");
            }
            var index = InsertionIndex(editor, plugin.Kind, factoryOf);
            var pin = noPin ? string.Empty : $", \"sha256\": \"{plugin.Sha256}\"";
            editor.Insert(index, $"{{ \"plugin\": \"{plugin.Name}\", \"enabled\": {(disabled ? "false" : "true")}{pin}, \"config\": {plugin.DefaultConfigJson} }}");
            return $"Added it as stage {index + 1} ({(disabled ? "disabled" : "enabled")}) of {{0}}";
        });
    }

    public static int SetEnabled(HostSettings settings, string name, bool enable, TextWriter output) =>
        EditManifest(settings, output, (editor, factoryOf) =>
        {
            var stages = Matching(editor, name);
            switch (stages.Count)
            {
                case 1:
                    editor.SetEnabled(stages[0], enable);
                    return $"{(enable ? "Enabled" : "Disabled")} stage \"{stages[0].EffectiveId}\" in {{0}}";
                case > 1:
                    throw new InstallException($"plugin {name} has several stages ({string.Join(", ", stages.Select(s => s.EffectiveId))}); name the stage id");
            }
            if (!enable || factoryOf(name)?.Kind is not { } kind)
            {
                throw new InstallException($"no stage or plugin \"{name}\" in {settings.ManifestPath}"
                    + Suggest.DidYouMean(name, editor.Stages.Select(s => s.EffectiveId)));
            }
            var index = InsertionIndex(editor, kind, factoryOf);
            editor.Insert(index, $"{{ \"plugin\": \"{name}\", \"enabled\": true }}");
            return $"Added stage \"{name}\" at position {index + 1} of {{0}}";
        });

    public static int Remove(HostSettings settings, string plugin, bool keepFiles, TextWriter output)
    {
        var code = EditManifest(settings, output, (editor, _) =>
        {
            var stages = editor.Stages.Where(s => Same(s.Plugin, plugin)).ToList();
            foreach (var stage in stages.AsEnumerable().Reverse())
            {
                // Spans move after each edit: look the stage up again by id.
                editor.Remove(editor.Stages.First(s => s.EffectiveId == stage.EffectiveId));
            }
            return stages.Count == 0 ? $"No stage of {plugin} in {{0}}" : $"Removed its {stages.Count} stage(s) from {{0}}";
        });
        if (code != ExitCodes.Success || keepFiles)
        {
            return code;
        }
        var folder = Path.Combine(settings.PluginsDirectory, plugin);
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
            output.WriteLine($"Deleted {folder}");
        }
        return code;
    }

    /// <summary>
    /// Opens the manifest, applies <paramref name="edit"/> (which returns what it did, with {0} for the manifest path),
    /// saves it, and says whether the pipeline it now describes is valid.
    /// </summary>
    private static int EditManifest(HostSettings settings, TextWriter output, Func<ManifestEditor, Func<string, IPluginFactory?>, string> edit)
    {
        if (UnsafeManifest(settings, FileSafety.ForCurrentProcess(settings.AllowWritablePlugins)) is { } unsafeManifest)
        {
            return Fail(unsafeManifest, ExitCodes.Usage);
        }
        using var services = HostServices.Build(settings);
        var catalog = services.GetRequiredService<PluginCatalog>();
        IPluginFactory? FactoryOf(string plugin)
        {
            if (catalog.Find(plugin) is not { } found)
            {
                return null;
            }
            catalog.Load(found);
            return found.Factory;
        }
        try
        {
            var editor = ManifestEditor.Open(settings.ManifestPath);
            var done = edit(editor, FactoryOf);
            editor.Save();
            output.WriteLine(string.Format(System.Globalization.CultureInfo.InvariantCulture, done, settings.ManifestPath));
        }
        catch (InstallException ex)
        {
            return Fail(ex.Message, ExitCodes.Usage);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            return Fail(ex.Message, ExitCodes.Failure);
        }

        var problems = new List<ManifestProblem>();
        services.GetRequiredService<PipelineLoader>().Load(new PipelineOverrides(), problems);
        if (problems.Count > 0)
        {
            services.GetRequiredService<ILoggerFactory>().CreateLogger("AgentSight")
                .LogWarning("The manifest now has {Count} problem(s) to fix before a run: {Problems}", problems.Count,
                    string.Join("; ", problems.Select(p => p.ToString())));
        }
        return ExitCodes.Success;
    }

    /// <summary>
    /// As root, why the manifest must not be edited, or null: it says what root loads, so one that another user could
    /// have written is refused as the loader refuses it at a run, before it is read and (for install) before the plugin
    /// is copied or loaded.
    /// </summary>
    private static string? UnsafeManifest(HostSettings settings, FileSafety safety) =>
        File.Exists(settings.ManifestPath) ? safety.Check(settings.ManifestPath, "manifest") : null;

    /// <summary>New analyzers go before the redaction stage (so it stays last), else before the first sink; sinks go last.</summary>
    private static int InsertionIndex(ManifestEditor editor, PluginKind kind, Func<string, IPluginFactory?> factoryOf)
    {
        if (kind == PluginKind.Sink)
        {
            return editor.Stages.Count;
        }
        var redact = editor.Stages.ToList().FindIndex(s => s.Plugin is { } p && factoryOf(p)?.Roles.Contains(StageRoles.Redaction) == true);
        if (redact >= 0)
        {
            return redact;
        }
        var firstSink = editor.Stages.ToList().FindIndex(s => s.Plugin is { } p && factoryOf(p)?.Kind == PluginKind.Sink);
        return firstSink >= 0 ? firstSink : editor.Stages.Count;
    }

    private static List<ManifestEditor.StageSpan> Matching(ManifestEditor editor, string name)
    {
        var byId = editor.Stages.Where(s => Same(s.EffectiveId, name)).ToList();
        return byId.Count > 0 ? byId : [.. editor.Stages.Where(s => Same(s.Plugin, name))];
    }

    private static bool Same(string? a, string? b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    private static string Kind(PluginKind kind) => kind == PluginKind.Analyzer ? "analyzer" : "sink";

    private static int Fail(string message, int code)
    {
        Console.Error.WriteLine($"agentsight: {message}");
        return code;
    }
}
