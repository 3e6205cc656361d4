using System.CommandLine;
using AgentSight.Host.Capture;

namespace AgentSight.Host.Cli;

/// <summary>
/// <c>--sockets</c>, <c>--stdio</c> and <c>--stdio-limit</c>: what the io program captures besides TLS (record, trace).
/// </summary>
internal sealed class IoOptions
{
    public Option<bool?> Sockets { get; } = new("--sockets")
    {
        Description = "Capture plaintext TCP and named UNIX sockets of the followed processes as socket events, read by the http analyzer "
            + "like TLS plaintext (default true with a followed tree; --sockets false to leave them out). TLS sockets stay with the TLS probes",
        HelpName = "true|false",
    };

    public Option<string?> Stdio { get; } = new("--stdio")
    {
        Description = "Which pipes, ttys and socket pairs of the followed processes become stdio events: jsonrpc (default: streams that start "
            + "like JSON-RPC, as MCP servers speak; not a build's output), all, or off",
        HelpName = "jsonrpc|all|off",
    };

    public Option<string?> StdioLimit { get; } = new("--stdio-limit")
    {
        Description = "stdio bytes captured per process at most, e.g. 1M (default 32M); the rest is counted in the stdio runner's limit_bytes",
        HelpName = "SIZE",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Sockets);
        command.Options.Add(Stdio);
        command.Options.Add(StdioLimit);
    }

    /// <summary>
    /// Reads the three options; <paramref name="followTree"/> decides the defaults (on with a followed tree, off for
    /// every process: capturing every pipe and socket of a machine is not a recorder's place). Null and an error when a
    /// value is not understood.
    /// </summary>
    public (bool Sockets, StdioCapture Stdio, long Limit)? Read(ParseResult parse, bool followTree, out string? error)
    {
        error = null;
        var sockets = parse.GetValue(Sockets) ?? followTree;
        var stdio = followTree ? StdioCapture.JsonRpc : StdioCapture.Off;
        switch (parse.GetValue(Stdio)?.Trim().ToLowerInvariant())
        {
            case null:
                break;
            case "jsonrpc" or "json-rpc":
                stdio = StdioCapture.JsonRpc;
                break;
            case "all":
                stdio = StdioCapture.All;
                break;
            case "off" or "none":
                stdio = StdioCapture.Off;
                break;
            case var other:
                error = $"--stdio: \"{other}\" is not one of jsonrpc, all, off";
                return null;
        }
        var limit = CaptureOptions.DefaultStdioLimit;
        if (parse.GetValue(StdioLimit) is { } text && !CaptureCommand.TryParseSize(text, out limit))
        {
            error = $"--stdio-limit: \"{text}\" is not a size (e.g. 1048576, 512K, 16M)";
            return null;
        }
        return (sockets, stdio, limit);
    }
}
