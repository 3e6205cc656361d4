namespace AgentSight.Host.Capture;

/// <summary>Which stdio streams (pipes, FIFOs, ttys, socket pairs) of traced processes become <c>stdio</c> events (<c>--stdio</c>).</summary>
internal enum StdioCapture
{
    /// <summary>None: the io program does not look at them.</summary>
    Off = 0,

    /// <summary>Streams whose first bytes look like JSON-RPC ('{', '[' or Content-Length:): MCP and LSP servers, not a build's output.</summary>
    JsonRpc = 1,

    /// <summary>Every stream, each process within its <c>--stdio-limit</c>.</summary>
    All = 2,
}
