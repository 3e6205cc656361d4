namespace AgentSight.Host.Pipeline;

/// <summary>A stage could not be created or opened; the message says which and why.</summary>
internal sealed class PipelineStartException(string message, Exception? inner = null) : Exception(message, inner);
