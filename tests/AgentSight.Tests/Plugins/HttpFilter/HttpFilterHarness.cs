using AgentSight.Contracts;
using AgentSight.Plugins.Common.Filters;
using AgentSight.Plugins.HttpFilter;
using AgentSight.Plugins.HttpFilter.Expressions;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Analyzers.HttpFilter;

/// <summary>Runs the http-filter as its stage would.</summary>
internal static class HttpFilterHarness
{
    public static bool Drops(string expression, AgentEvent evt) => Run(new HttpFilterConfig { Patterns = [expression] }, evt).Count == 0;

    public static List<AgentEvent> Run(HttpFilterConfig config, params AgentEvent[] events) => Run(config, new TestStageContext(), events);

    public static List<AgentEvent> Run(HttpFilterConfig config, TestStageContext context, params AgentEvent[] events)
    {
        Assert.Empty(config.Validate());
        var filter = new HttpFilterFactory().Create(config, context);
        var output = new CapturingOutput();
        foreach (var evt in events)
        {
            filter.Process(evt, output);
        }
        return output.Events;
    }

    public static FilterSyntaxException ErrorOf(string expression) =>
        Assert.Throws<FilterSyntaxException>(() => HttpExpressionParser.Parse(expression));
}
