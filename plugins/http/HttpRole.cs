namespace AgentSight.Plugins.Http;

/// <summary>Which side of its connections the traced process is.</summary>
public enum HttpRole
{
    /// <summary>Decided per connection: the direction whose first message is a request carries requests.</summary>
    Auto,

    /// <summary>The process sends requests (writes) and reads responses.</summary>
    Client,

    /// <summary>The process reads requests and writes responses.</summary>
    Server,
}
