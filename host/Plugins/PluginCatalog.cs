using System.Reflection;
using AgentSight.Contracts;
using AgentSight.Host.Hosting;
using System.Runtime.Loader;
using McMaster.NETCore.Plugins.Loader;
using Microsoft.Extensions.Logging;

namespace AgentSight.Host.Plugins;

/// <summary>The plugins of one folder: <c>&lt;dir&gt;/&lt;Name&gt;/&lt;Name&gt;.dll</c>, each loaded in its own load context.</summary>
/// <remarks>
/// Discovery reads only metadata (the contracts version each plugin was built against); loading happens on demand,
/// for the plugins a run needs or for <c>plugins list</c>. Each plugin gets its own AssemblyLoadContext in which only
/// the contracts (and what they reference) are shared with the host, so two plugins may carry different versions of
/// the same library. Every problem becomes a status with a message; nothing here throws for a bad plugin.
/// </remarks>
internal sealed class PluginCatalog
{
    /// <summary>The assemblies plugins share with the host: the contracts and the logging abstractions they expose.</summary>
    private static readonly AssemblyName[] SharedAssemblies = [typeof(IPluginFactory).Assembly.GetName(), typeof(ILogger).Assembly.GetName()];

    private readonly ILogger<PluginCatalog> _log;
    private readonly FileSafety _safety;
    private readonly List<PluginDescriptor> _plugins = [];

    public PluginCatalog(string directory, FileSafety safety, ILogger<PluginCatalog> log)
    {
        Directory = Path.GetFullPath(directory);
        _safety = safety;
        _log = log;
        Discover();
    }

    public PluginCatalog(string directory, ILogger<PluginCatalog> log)
        : this(directory, FileSafety.Off, log)
    {
    }

    public string Directory { get; }

    /// <summary>Set when the folder itself cannot be used.</summary>
    public string? DirectoryProblem { get; private set; }

    /// <summary>Every plugin folder found, sorted by name.</summary>
    public IReadOnlyList<PluginDescriptor> Plugins => _plugins;

    public PluginDescriptor? Find(string name) =>
        _plugins.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Loads every plugin (for listing).</summary>
    public void LoadAll()
    {
        foreach (var plugin in _plugins)
        {
            Load(plugin);
        }
    }

    /// <summary>The SHA-256 of a plugin's main assembly, in lowercase hex (what a manifest's <c>sha256</c> pins).</summary>
    public static string Sha256Of(PluginDescriptor plugin)
    {
        using var stream = File.OpenRead(plugin.AssemblyPath);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream));
    }

    /// <summary>Refuses a plugin before loading it, with the reason.</summary>
    public static void Refuse(PluginDescriptor plugin, string reason) => SetProblem(plugin, PluginStatus.Refused, reason);

    /// <summary>Loads a plugin and creates its factory; records the outcome in its status. Idempotent.</summary>
    public void Load(PluginDescriptor plugin)
    {
        if (plugin.Status != PluginStatus.Found)
        {
            return;
        }
        try
        {
            var context = CreateLoadContext(plugin.AssemblyPath);
            var assembly = context.LoadFromAssemblyPath(plugin.AssemblyPath);
            plugin.LoadContext = context;
            plugin.Version = VersionOf(assembly);
            var factoryTypes = LoadableTypes(assembly, out var typeLoadProblem).Where(IsFactoryType).ToList();
            switch (factoryTypes.Count)
            {
                case 0:
                    SetProblem(plugin, PluginStatus.Invalid, typeLoadProblem
                        ?? $"{Path.GetFileName(plugin.AssemblyPath)} has no public class implementing IPluginFactory with a parameterless constructor (derive one from AnalyzerFactory<TConfig> or SinkFactory<TConfig>)");
                    return;
                case > 1:
                    SetProblem(plugin, PluginStatus.Invalid,
                        $"{Path.GetFileName(plugin.AssemblyPath)} has several factories ({string.Join(", ", factoryTypes.Select(t => t.FullName))}); a plugin assembly holds exactly one");
                    return;
            }
            var factory = (IPluginFactory)Activator.CreateInstance(factoryTypes[0])!;
            var shapeProblem = CheckShape(factory);
            if (shapeProblem is not null)
            {
                SetProblem(plugin, PluginStatus.Invalid, shapeProblem);
                return;
            }
            plugin.Factory = factory;
            plugin.Status = PluginStatus.Loaded;
            RunTimings.Mark($"plugin {plugin.Name} loaded");
            _log.LogDebug("Loaded plugin {Plugin} {Version} ({Kind}) from {Path}", plugin.Name, plugin.Version, factory.Kind, plugin.AssemblyPath);
        }
        catch (Exception ex)
        {
            SetProblem(plugin, PluginStatus.Failed, Describe(ex));
        }
    }

    /// <summary>
    /// The plugin's load context: its own dependencies from its <c>.deps.json</c> and folder, the shared assemblies (and
    /// everything they reference) from the host's. Built with McMaster's builder rather than its <c>PluginLoader</c>,
    /// which also reads the plugin's and the host's <c>runtimeconfig.json</c> for every plugin, each time with reflection
    /// JSON and a parse of <c>/proc/self/maps</c> (for probing paths into the SDK's package store that a published
    /// plugin never uses): two thirds of the plugins' load time at every start.
    /// </summary>
    private static AssemblyLoadContext CreateLoadContext(string assemblyPath)
    {
        var builder = new AssemblyLoadContextBuilder()
            .SetMainAssemblyPath(assemblyPath)
            .SetDefaultContext(AssemblyLoadContext.Default);
        foreach (var shared in SharedAssemblies)
        {
            builder.PreferDefaultLoadContextAssembly(shared);
        }
        return builder.Build();
    }

    private void Discover()
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            DirectoryProblem = $"the plugins folder {Directory} does not exist (build first, or give another one with --plugins DIR)";
            return;
        }
        if (_safety.Check(Directory, "the plugins folder", recursive: false) is { } unsafeFolder)
        {
            // Each plugin's own files are checked below, so one bad plugin does not condemn the others.
            DirectoryProblem = unsafeFolder;
            return;
        }
        foreach (var folder in System.IO.Directory.EnumerateDirectories(Directory).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(folder);
            if (name.StartsWith('.'))
            {
                continue;
            }
            var plugin = new PluginDescriptor
            {
                Name = name,
                Directory = folder,
                AssemblyPath = Path.Combine(folder, name + ".dll"),
            };
            _plugins.Add(plugin);
            if (!File.Exists(plugin.AssemblyPath))
            {
                SetProblem(plugin, PluginStatus.Invalid, $"no {name}.dll in {folder} (a plugin folder is named after its assembly)");
                continue;
            }
            if (_safety.Check(folder, "plugin") is { } unsafePlugin)
            {
                SetProblem(plugin, PluginStatus.Refused, unsafePlugin);
                continue;
            }
            CheckContract(plugin);
        }
    }

    private static void CheckContract(PluginDescriptor plugin)
    {
        var version = ContractReference.Read(plugin.AssemblyPath, out var problem);
        if (version is null)
        {
            SetProblem(plugin, PluginStatus.Invalid,
                problem ?? $"{plugin.Name}.dll does not reference {ContractReference.ContractsAssemblyName}: not an AgentSight plugin");
            return;
        }
        plugin.ContractVersion = new Version(version.Major, version.Minor);
        var host = ContractVersion.Current;
        if (ContractVersion.IsCompatible(plugin.ContractVersion))
        {
            return;
        }
        var built = $"{version.Major}.{version.Minor}";
        SetProblem(plugin, PluginStatus.Incompatible, version.Major != host.Major
            ? version.Major > host.Major
                ? $"built for contracts {built}, this host provides {host}: update AgentSight, or use a build of the plugin for contracts {host.Major}.x"
                : $"built for contracts {built}, this host provides {host}: rebuild the plugin against AgentSight.Contracts {host.Major}.x"
            : $"needs contracts {built}, newer than this host's {host}: update AgentSight");
    }

    private static string? CheckShape(IPluginFactory factory)
    {
        var name = factory.GetType().FullName;
        if (factory is not (IAnalyzerFactory or ISinkFactory))
        {
            return $"{name} implements neither IAnalyzerFactory nor ISinkFactory";
        }
        if ((factory.Kind == PluginKind.Analyzer) != factory is IAnalyzerFactory)
        {
            return $"{name} says it is a {factory.Kind} but implements the other factory interface";
        }
        if (!typeof(AgentSight.Contracts.PluginConfig).IsAssignableFrom(factory.ConfigType) || factory.ConfigType.GetConstructor(Type.EmptyTypes) is null)
        {
            return $"{name}.ConfigType ({factory.ConfigType.FullName}) must derive from PluginConfig and have a parameterless constructor";
        }
        return null;
    }

    private static bool IsFactoryType(Type type) =>
        type is { IsClass: true, IsAbstract: false, IsPublic: true }
        && typeof(IPluginFactory).IsAssignableFrom(type)
        && type.GetConstructor(Type.EmptyTypes) is not null;

    /// <summary>
    /// The types that loaded. One type with a missing dependency makes GetTypes throw and hide the healthy ones, so
    /// the healthy ones are taken from the exception; the first loader error is kept for the message.
    /// </summary>
    private static IEnumerable<Type> LoadableTypes(Assembly assembly, out string? problem)
    {
        problem = null;
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException ex)
        {
            var first = ex.LoaderExceptions.FirstOrDefault(e => e is not null);
            problem = first is null ? null : $"some types could not be loaded: {first.Message}";
            return ex.Types.Where(t => t is not null)!;
        }
    }

    private static string? VersionOf(Assembly assembly)
    {
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        if (informational is not null)
        {
            var plus = informational.IndexOf('+', StringComparison.Ordinal);
            return plus >= 0 ? informational[..plus] : informational;
        }
        return assembly.GetName().Version?.ToString(3);
    }

    private static void SetProblem(PluginDescriptor plugin, PluginStatus status, string problem)
    {
        plugin.Status = status;
        plugin.Problem = problem;
    }

    private static string Describe(Exception ex)
    {
        var inner = ex is TargetInvocationException { InnerException: { } cause } ? cause : ex;
        return inner.InnerException is null ? inner.Message : $"{inner.Message} ({inner.InnerException.Message})";
    }
}
