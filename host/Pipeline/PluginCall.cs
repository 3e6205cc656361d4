namespace AgentSight.Host.Pipeline;

/// <summary>
/// The plugin method a stage's task is inside, named as the plugin author wrote it: when a shutdown cannot finish,
/// the stage inside a call is the one that holds it (a stage waiting for room downstream is not).
/// </summary>
internal enum PluginCall
{
    /// <summary>Not inside plugin code: waiting for events, for room downstream, or done.</summary>
    None,

    /// <summary>The factory's <c>Create</c> (an instance's constructor).</summary>
    Create,

    /// <summary><c>IAnalyzer.Process</c>.</summary>
    Process,

    /// <summary><c>IAnalyzer.OnTimer</c>.</summary>
    OnTimer,

    /// <summary><c>IAnalyzer.Flush</c>.</summary>
    Flush,

    /// <summary><c>IDisposable.Dispose</c> of an analyzer.</summary>
    Dispose,

    /// <summary><c>ISink.StartAsync</c>.</summary>
    StartAsync,

    /// <summary><c>ISink.Write</c>.</summary>
    Write,

    /// <summary><c>ISink.FlushAsync</c>.</summary>
    FlushAsync,

    /// <summary><c>ISink.StopAsync</c>.</summary>
    StopAsync,
}
