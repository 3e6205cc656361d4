namespace AgentSight.Plugins.HttpFilter.Expressions;

/// <summary>Which message of the exchange a condition looks at.</summary>
public enum HttpTarget
{
    /// <summary><c>request.</c> (or <c>req.</c>, or no prefix at all).</summary>
    Request,

    /// <summary><c>response.</c> (or <c>resp.</c>, <c>res.</c>).</summary>
    Response,
}
