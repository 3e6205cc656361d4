using AgentSight.Contracts;
using AgentSight.Host.Manifest;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentSight.Host.Plugins;

/// <summary>Copies a published plugin into the plugins folder, after checking that it is one this host can load.</summary>
/// <remarks>
/// Checking a plugin means loading it, and loading runs its code (a static constructor runs as soon as its factory is
/// created). As root, the copy installed is owned by root and pinned, so the loader's own checks pass on it later:
/// the source folder must therefore pass the same ownership and permission checks (<see cref="FileSafety"/>) before
/// anything in it is read, copied or loaded. Otherwise a user who can write the source (a world-writable temp
/// folder) gets code run as root at install time, and installed for good.
/// </remarks>
internal static class PluginInstaller
{
    /// <summary>Installs the plugin found in <paramref name="source"/> (a publish folder, or its main .dll).</summary>
    /// <param name="source">The publish folder, or its main .dll.</param>
    /// <param name="pluginsDirectory">Where plugins are installed.</param>
    /// <param name="force">Replace an installed plugin of the same name.</param>
    /// <param name="safety">The checks a root host applies to what it loads; applied to the source and the plugins folder first.</param>
    /// <exception cref="InstallException">With a message for the user, when nothing was installed.</exception>
    public static InstalledPlugin Install(string source, string pluginsDirectory, bool force, FileSafety safety)
    {
        CheckSource(source, safety);
        if (Directory.Exists(pluginsDirectory) && safety.Check(pluginsDirectory, "to install into the plugins folder", recursive: false) is { } unsafeTarget)
        {
            throw new InstallException(unsafeTarget);
        }
        var (folder, name) = FindPlugin(source);
        var target = Path.Combine(pluginsDirectory, name);
        if (Directory.Exists(target) && !force)
        {
            throw new InstallException($"{name} is already installed in {pluginsDirectory}; add --force to replace it");
        }

        Directory.CreateDirectory(pluginsDirectory);
        var staging = Path.Combine(pluginsDirectory, $".install-{Environment.ProcessId}");
        var staged = Path.Combine(staging, name);
        try
        {
            CopyTree(folder, staged);
            // Load it the way the host will, from its own folder, before it replaces anything.
            // The staged copy comes from a source that passed the checks, with modes only its owner can write.
            var catalog = new PluginCatalog(staging, NullLogger<PluginCatalog>.Instance);
            var plugin = catalog.Find(name)!;
            catalog.Load(plugin);
            if (plugin.Factory is not { } factory)
            {
                throw new InstallException($"{name} cannot be installed: {plugin.StatusText}");
            }
            var installed = new InstalledPlugin(name, plugin.Version ?? "?", factory.Kind, PluginCatalog.Sha256Of(plugin),
                ConfigBinder.ToJson(factory.CreateDefaultConfig())?.ToJsonString() ?? "{}", Replaced: Directory.Exists(target));
            if (installed.Replaced)
            {
                var old = Path.Combine(staging, ".replaced");
                Directory.Move(target, old);
            }
            Directory.Move(staged, target);
            return installed;
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }

    /// <summary>
    /// Refuses a source that a less privileged user could have written, before a byte of it is read: the folder that
    /// would be copied (the .dll's folder when a .dll is given), everything in it, and every directory above it.
    /// </summary>
    private static void CheckSource(string source, FileSafety safety)
    {
        var folder = File.Exists(source) ? Path.GetDirectoryName(Path.GetFullPath(source))! : source;
        if (Directory.Exists(folder) && safety.Check(folder, "to install from") is { } unsafeSource)
        {
            throw new InstallException(unsafeSource);
        }
    }

    /// <summary>The folder and the plugin name: the one assembly there that references the contracts.</summary>
    private static (string Folder, string Name) FindPlugin(string source)
    {
        if (File.Exists(source) && source.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
        {
            return (Path.GetDirectoryName(Path.GetFullPath(source))!, Path.GetFileNameWithoutExtension(source));
        }
        if (!Directory.Exists(source))
        {
            throw new InstallException($"{source} is neither a folder nor a .dll (give the folder 'dotnet publish -o' wrote)");
        }
        var candidates = Directory.EnumerateFiles(source, "*.deps.json")
            .Select(deps => Path.GetFileName(deps)[..^".deps.json".Length])
            .Where(name => File.Exists(Path.Combine(source, name + ".dll"))
                && ContractReference.Read(Path.Combine(source, name + ".dll"), out _) is not null)
            .Order(StringComparer.Ordinal)
            .ToList();
        return candidates.Count switch
        {
            1 => (Path.GetFullPath(source), candidates[0]),
            0 => throw new InstallException($"no plugin in {source}: expected NAME.dll and NAME.deps.json referencing "
                + $"{ContractReference.ContractsAssemblyName}, as 'dotnet publish' writes them"),
            _ => throw new InstallException($"several plugins in {source} ({string.Join(", ", candidates)}); give the path of the one to install: {source}/NAME.dll"),
        };
    }

    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>Copies a folder with modes that only the installing user can write: a root host refuses anything else.</summary>
    private static void CopyTree(string source, string target)
    {
        foreach (var directory in Directory.EnumerateDirectories(source, "*", SearchOption.AllDirectories).Prepend(source))
        {
            var created = Path.Combine(target, Path.GetRelativePath(source, directory));
            Directory.CreateDirectory(created);
            File.SetUnixFileMode(created, DirectoryMode);
        }
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(source, file));
            File.Copy(file, destination, overwrite: true);
            File.SetUnixFileMode(destination, FileMode);
        }
    }
}

/// <summary>What was installed.</summary>
internal sealed record InstalledPlugin(string Name, string Version, PluginKind Kind, string Sha256, string DefaultConfigJson, bool Replaced);

/// <summary>An installation that did not happen; the message says why.</summary>
internal sealed class InstallException(string message) : Exception(message);
