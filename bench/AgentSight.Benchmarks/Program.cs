using AgentSight.Benchmarks;

return await BenchmarkCli.RunAsync(args);
