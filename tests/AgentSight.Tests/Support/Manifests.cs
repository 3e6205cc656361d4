namespace AgentSight.Tests.Support;

/// <summary>Writes test manifests.</summary>
public static class Manifests
{
    /// <summary>Writes <c>{"stages":[…]}</c> with the given stage objects into the folder and returns its path.</summary>
    public static string Write(TempFolder folder, params string[] stages)
    {
        var path = folder.Combine("manifest.json");
        File.WriteAllText(path, "{ \"stages\": [\n  " + string.Join(",\n  ", stages) + "\n] }\n");
        return path;
    }
}
