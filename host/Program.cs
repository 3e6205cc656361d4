using AgentSight.Host.Cli;
using AgentSight.Host.Hosting;

RunTimings.Begin();
StartupWarmup.Begin();

return await AgentSightCli.RunAsync(args);
