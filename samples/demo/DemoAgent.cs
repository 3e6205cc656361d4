namespace AgentSight.Demo;

/// <summary>The bundled agent the demo records: a Python script that talks to <see cref="DemoServer"/>, runs shell commands and writes files.</summary>
internal static class DemoAgent
{
    /// <summary>The script's file name, as the demo writes it out (the digest finds the agent's own exec by it).</summary>
    public const string FileName = "demo_agent.py";

    /// <summary>The script, embedded in this assembly.</summary>
    public static byte[] ReadScript()
    {
        using var stream = typeof(DemoAgent).Assembly.GetManifestResourceStream("AgentSight.Demo." + FileName)
            ?? throw new InvalidOperationException($"the demo agent script ({FileName}) is not embedded in {typeof(DemoAgent).Assembly.GetName().Name}");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }
}
