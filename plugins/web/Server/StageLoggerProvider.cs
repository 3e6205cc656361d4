using Microsoft.Extensions.Logging;

namespace AgentSight.Plugins.Web.Server;

/// <summary>Sends ASP.NET Core's own logs to the stage's logger (stderr), never to stdout, which carries events.</summary>
internal sealed class StageLoggerProvider(ILogger stage) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => stage;

    public void Dispose()
    {
    }
}
