namespace AgentSight.Plugins.Http;

/// <summary>What became of an event's bytes.</summary>
internal enum FeedResult
{
    /// <summary>All of them are part of HTTP messages.</summary>
    Consumed,

    /// <summary>It ended inside a head; kept until the head is decided.</summary>
    Held,

    /// <summary>Not (all) HTTP: it goes on untouched.</summary>
    Raw,
}
