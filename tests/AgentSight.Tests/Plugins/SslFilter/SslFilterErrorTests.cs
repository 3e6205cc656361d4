using AgentSight.Plugins.SslFilter;
using static AgentSight.Tests.Analyzers.SslFilter.SslFilterHarness;

namespace AgentSight.Tests.Analyzers.SslFilter;

/// <summary>An expression that does not parse is refused with where and why, never run as match-all or match-nothing.</summary>
public sealed class SslFilterErrorTests
{
    [Theory]
    [InlineData("", 1, "the expression is empty")]
    [InlineData("   ", 1, "the expression is empty")]
    [InlineData("len>5 |", 8, "expected a condition after '|'")]
    [InlineData("| len>5", 1, "expected a condition before '|'")]
    [InlineData("len>5 || comm=a", 8, "expected a condition before '|'")]
    [InlineData("len>5 & & comm=a", 9, "expected a condition before '&'")]
    [InlineData("()", 2, "expected a condition before ')'")]
    [InlineData("lenn>5", 1, "unknown field \"lenn\" (did you mean \"len\"?)")]
    [InlineData("gzip", 1, "unknown field \"gzip\"; known fields: data, data.type, function")]
    [InlineData("data gzip", 6, "expected an operator after \"data\"")]
    [InlineData("len>abc", 5, "len takes a whole number, got \"abc\"")]
    [InlineData("len>-1", 5, "len takes a whole number")]
    [InlineData("latency_ms>fast", 12, "latency_ms takes a number of milliseconds")]
    [InlineData("len~5", 4, "len does not take ~")]
    [InlineData("comm>a", 5, "comm does not take >")]
    [InlineData("is_handshake=yes", 14, "is_handshake takes true or false")]
    [InlineData("is_handshake~true", 13, "is_handshake does not take ~")]
    [InlineData("data.type=json", 11, "data.type is text or binary")]
    [InlineData("data~", 6, "needs a value: an empty one would match every event")]
    [InlineData("comm^=", 7, "needs a value")]
    [InlineData("function=READ", 10, "function is READ/RECV, WRITE/SEND or HANDSHAKE")]
    [InlineData("data^=HEX:1f8", 7, "a HEX: value needs an even number of hex digits")]
    [InlineData("(len>5) comm=a", 9, "expected '&', '|' or the end, found 'c'")]
    [InlineData("((len>5) comm=a)", 10, "expected '&', '|' or ')'")]
    [InlineData("(len>5))", 8, "')' closes no '('; write \\) for a parenthesis inside a value")]
    public void A_bad_expression_says_where_and_what_was_expected(string expression, int position, string problem)
    {
        var error = ErrorOf(expression);

        Assert.Equal(position, error.Position);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.StartsWith($"cannot parse \"{expression}\" at position {position}: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_names_the_pattern_the_expression_and_the_position()
    {
        var config = new SslFilterConfig { Patterns = ["len<10", "len<", "data~ok"], Presets = ["recrod"] };

        var errors = config.Validate().ToList();

        Assert.Equal(2, errors.Count);
        Assert.Equal("presets[0]", errors[0].Key);
        Assert.Contains("unknown preset \"recrod\" (known: record)", errors[0].Message, StringComparison.Ordinal);
        Assert.Equal("patterns[1]", errors[1].Key);
        Assert.Equal("cannot parse \"len<\" at position 5: len takes a whole number, got \"\"", errors[1].Message);
    }

    [Fact]
    public void Deep_nesting_is_refused_instead_of_overflowing_the_stack()
    {
        var deep = new string('(', 10_000) + "len>1" + new string(')', 10_000);

        var error = ErrorOf(deep);

        Assert.Contains("more than 64 nested parentheses", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_configuration_is_valid_and_passes_everything()
    {
        Assert.Empty(new SslFilterConfig().Validate());
    }
}
