using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace AgentSight.Host.Plugins;

/// <summary>Reads, without loading it, which version of the contracts an assembly was built against.</summary>
/// <remarks>
/// Checked before loading because a plugin referencing a newer contracts assembly than the host's fails inside the
/// runtime's binder with an unhelpful FileLoadException; reading the metadata lets us say plainly what is wrong.
/// </remarks>
internal static class ContractReference
{
    public const string ContractsAssemblyName = "AgentSight.Contracts";

    /// <summary>
    /// The referenced contracts version; null with <paramref name="problem"/> null when the assembly does not
    /// reference the contracts, null with a problem when the file is not a readable .NET assembly.
    /// </summary>
    public static Version? Read(string assemblyPath, out string? problem)
    {
        problem = null;
        try
        {
            using var stream = File.OpenRead(assemblyPath);
            using var pe = new PEReader(stream);
            if (!pe.HasMetadata)
            {
                problem = $"{Path.GetFileName(assemblyPath)} is not a .NET assembly";
                return null;
            }
            var metadata = pe.GetMetadataReader();
            foreach (var handle in metadata.AssemblyReferences)
            {
                var reference = metadata.GetAssemblyReference(handle);
                if (metadata.StringComparer.Equals(reference.Name, ContractsAssemblyName))
                {
                    return reference.Version;
                }
            }
            return null;
        }
        catch (BadImageFormatException ex)
        {
            problem = $"{Path.GetFileName(assemblyPath)} is not a .NET assembly ({ex.Message})";
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problem = $"{Path.GetFileName(assemblyPath)} cannot be read: {ex.Message}";
            return null;
        }
    }
}
