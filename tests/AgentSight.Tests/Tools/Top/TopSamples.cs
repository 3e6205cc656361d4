using AgentSight.Top.Model;

namespace AgentSight.Tests.Top;

/// <summary>Processes as a recording of an agent reports them: python3 (the agent) started sh, which ran uname; a curl of its own.</summary>
internal static class TopSamples
{
    public static ProcessSample Process(int id, int pid, string comm, int? parent = null, long calls = 0, long tokensIn = 0, long tokensOut = 0,
        int children = 0, int filesWritten = 0, int failedOpens = 0, string[]? hosts = null, long failedConnects = 0, long unseen = 0,
        bool exited = false, int? exitCode = null, int? signal = null, string? commandLine = null) =>
        new(id, pid, parent, comm, commandLine ?? comm, 1_000 + id, exited, exitCode, signal, calls, tokensIn, tokensOut, children, filesWritten,
            failedOpens, hosts ?? [], failedConnects, unseen);

    /// <summary>An agent tree (python3 → sh → uname, python3 → node) and an unrelated curl.</summary>
    public static SessionSnapshot Agent(IReadOnlyDictionary<int, ResourceUsage>? resources = null) => new(
        [
            Process(1, 100, "python3", calls: 6, tokensIn: 4000, tokensOut: 800, children: 2, filesWritten: 2, failedOpens: 3,
                hosts: ["api.anthropic.com", "127.0.0.1:8443"], commandLine: "python3 agent.py --task report"),
            Process(2, 101, "sh", parent: 1, children: 1, exited: true, exitCode: 0, commandLine: "sh -c uname -sr"),
            Process(3, 102, "uname", parent: 2, exited: true, exitCode: 2, failedOpens: 1, commandLine: "uname -sr"),
            Process(4, 103, "node", parent: 1, calls: 1, tokensIn: 50, tokensOut: 10, hosts: ["API.anthropic.com", "example.org"],
                failedConnects: 1, unseen: 2, commandLine: "node helper.js"),
            Process(5, 200, "curl", calls: 0, hosts: ["example.org"], exited: true, signal: 9, commandLine: "curl https://example.org"),
        ],
        Events: 500, Calls: 7, Tokens: 4860, Lost: 3, Incomplete: false, Resources: resources);
}
