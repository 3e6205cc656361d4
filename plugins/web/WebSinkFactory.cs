using AgentSight.Contracts;

namespace AgentSight.Plugins.Web;

/// <summary>The <c>web</c> sink plugin: the session in the browser, live, and its report.</summary>
public sealed class WebSinkFactory : SinkFactory<WebSinkConfig>
{
    /// <inheritdoc />
    public override string Description => "Shows the session in the browser (LLM calls, process tree, timeline, events, pipeline), live; prints its report.";

    /// <inheritdoc />
    public override IReadOnlyCollection<string> Roles { get; } = [StageRoles.WebUi];

    /// <inheritdoc />
    protected override ISink Create(WebSinkConfig config, IStageContext context) => new WebSink(config, context, TimeProvider.System, Console.Out);
}
