using AgentSight.Host.Cli;

return await AgentSightCli.RunAsync(args);
