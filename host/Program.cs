using AgentSight.Host.Cli;
using AgentSight.Host.Hosting;

RunTimings.Begin();

return await AgentSightCli.RunAsync(args);
