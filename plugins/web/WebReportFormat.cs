namespace AgentSight.Plugins.Web;

/// <summary>Whether and how the sink prints the session's report at the end (manifest key <c>report</c>).</summary>
public enum WebReportFormat
{
    /// <summary>No report (the default).</summary>
    None,

    /// <summary>A terminal summary on stdout.</summary>
    Text,

    /// <summary>The same as one JSON document on stdout.</summary>
    Json,
}
