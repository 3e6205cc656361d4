namespace AgentSight.Plugins.Web.Server;

/// <summary>A malformed API query parameter: answered with 400 and this message.</summary>
internal sealed class BadQueryException(string message) : Exception(message);
