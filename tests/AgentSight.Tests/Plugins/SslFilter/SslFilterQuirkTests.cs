using static AgentSight.Tests.Analyzers.SslFilter.SslFilterHarness;

namespace AgentSight.Tests.Analyzers.SslFilter;

/// <summary>The original's documented quirks, each fixed.</summary>
public sealed class SslFilterQuirkTests
{
    [Fact]
    public void An_operator_inside_a_contains_value_is_part_of_the_value()
    {
        // The original searched the whole condition for "=" first: "data~a=b" became the unknown field "data~a".
        Assert.True(Drops("data~a=b", Read("x a=b y")));
        Assert.False(Drops("data~a=b", Read("a")));
        Assert.True(Drops("data=a~b", Read("a~b")));
        Assert.True(Drops("data~x>=1", Read("if x>=1")));
    }

    [Fact]
    public void Non_ascii_text_before_an_operator_does_not_move_the_split()
    {
        // The original used a character index as a byte index: "é" before "|" split in the wrong place or panicked.
        const string expression = "data~héllo wörld|len>1000";

        Assert.True(Drops(expression, Read("say héllo wörld")));
        Assert.True(Drops(expression, Read(new string('x', 1001))));
        Assert.False(Drops(expression, Read("hello world")));
        Assert.True(Drops("comm=日本語&len=3", Read("abc", comm: "日本語")));
    }

    [Fact]
    public void A_closing_parenthesis_in_a_value_no_longer_hides_the_operators_after_it()
    {
        // The original's depth went below zero at ")" and every "|" after it was no longer seen.
        const string expression = "data~:) | len>1000";

        Assert.True(Drops(expression, Read("smile :)")));
        Assert.True(Drops(expression, Read(new string('x', 1001))));
        Assert.False(Drops(expression, Read("frown :(")));
    }

    [Fact]
    public void Balanced_parentheses_in_a_value_are_part_of_it()
    {
        Assert.True(Drops("data~f(x)", Read("y = f(x)")));
        Assert.True(Drops("(data~f(x) | len>1000) & comm=python3", Read("y = f(x)")));
    }

    [Fact]
    public void An_unclosed_parenthesis_is_an_error_rather_than_a_hidden_operator()
    {
        var error = ErrorOf("(data~a | len>5");

        Assert.Equal(16, error.Position);
        Assert.Contains("expected ')' to close the '(' at position 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_lone_parenthesis_inside_a_group_needs_an_escape()
    {
        // Inside a group a lone ")" closes it, so the last ")" is left over and the error shows where.
        var error = ErrorOf("(data~:) | len>5)");

        Assert.Equal(16, error.Position);
        Assert.Contains("len takes a whole number, got \"5)\"", error.Message, StringComparison.Ordinal);
        Assert.True(Drops(@"(data~:\) | len>5)", Read("smile :)")));
    }

    [Fact]
    public void Prefix_and_suffix_have_a_syntax_now()
    {
        // The original's evaluator had them and no expression could reach them; "data^=x" was the unknown field "data^".
        Assert.True(Drops("data^=HTTP/1.1 2", Read("HTTP/1.1 200 OK\r\n")));
        Assert.True(Drops("data$=\\r\\n\\r\\n", Read("HTTP/1.1 200 OK\r\n\r\n")));
    }

    [Fact]
    public void Field_names_ignore_case()
    {
        Assert.True(Drops("LEN<5 & Function=READ/RECV", Read("abc")));
    }
}
