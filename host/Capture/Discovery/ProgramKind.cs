namespace AgentSight.Host.Capture.Discovery;

/// <summary>What kind of program a file is, for messages: "Bun 1.4.6", "Node.js 24.11.0", "Go 1.19.8", "Rust".</summary>
internal static class ProgramKind
{
    public static string? Describe(DiscoveryContext context)
    {
        var elf = context.Elf;
        if (elf.Section(".bun") is not null || elf.Section(".note.bun") is not null)
        {
            return context.VersionAfter("Bun v") is { } bun ? $"Bun {bun}" : "a Bun executable";
        }
        if (Go.GoFunctionTable.Read(elf) is { } go)
        {
            return go.Version is { } version ? $"Go {version.TrimStart('g', 'o')}" : "a Go program";
        }
        if (elf.FindFunctions(["napi_module_register", "node_api_module_get_api_version_v1"]).Count > 0 && context.VersionAfter("node/v") is { } node)
        {
            return $"Node.js {node}";
        }
        if (context.StringsEndingWith("/library/core/src/panicking.rs").Count > 0 || context.ExactStrings("rust_panic").Count > 0)
        {
            return "a Rust program";
        }
        return null;
    }
}
