using System.Globalization;

namespace AgentSight.Plugins.HttpFilter.Expressions;

/// <summary>One <c>field=value</c> test of an exchange.</summary>
public sealed class HttpCondition
{
    private readonly int _status;

    internal HttpCondition(HttpTarget target, HttpTest test, string name, string value)
    {
        Target = target;
        Test = test;
        Name = name;
        Value = value;
        if (test == HttpTest.Status)
        {
            _status = int.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture);
        }
    }

    /// <summary>Request or response.</summary>
    public HttpTarget Target { get; }

    /// <summary>What is tested.</summary>
    public HttpTest Test { get; }

    /// <summary>The header or query parameter name, for those tests; otherwise the field as written.</summary>
    public string Name { get; }

    /// <summary>The value as written (trimmed).</summary>
    public string Value { get; }

    /// <summary>Whether the exchange's request or response (null when the exchange has none) passes this test.</summary>
    internal bool Matches(HttpMessageView? request, HttpMessageView? response)
    {
        var message = Target == HttpTarget.Request ? request : response;
        if (message is null)
        {
            return false;
        }
        return Test switch
        {
            HttpTest.Method => string.Equals(message.Method, Value, StringComparison.OrdinalIgnoreCase),
            HttpTest.PathExact => string.Equals(message.Path, Value, StringComparison.Ordinal),
            HttpTest.PathPrefix => message.Path?.StartsWith(Value, StringComparison.Ordinal) == true,
            HttpTest.PathContains => message.Path?.Contains(Value, StringComparison.Ordinal) == true,
            HttpTest.Host => HostMatches(message.Host),
            HttpTest.Body => Value.Length == 0 ? message.BodyIsEmpty : message.Body?.Contains(Value, StringComparison.Ordinal) == true,
            HttpTest.QueryParameter => QueryMatches(message.Path),
            HttpTest.Status => message.Status == _status,
            HttpTest.StatusText => message.Reason?.Contains(Value, StringComparison.OrdinalIgnoreCase) == true,
            HttpTest.Header => message.Header(Name) is { } header
                && (Value.Length == 0 ? header.Trim().Length == 0 : header.Contains(Value, StringComparison.Ordinal)),
            _ => false,
        };
    }

    private bool HostMatches(string? host)
    {
        if (host is null)
        {
            return false;
        }
        if (string.Equals(host, Value, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        // "api.openai.com" matches a Host header of "api.openai.com:443"; a value with a port must match it exactly.
        var colon = host.LastIndexOf(':');
        return colon > 0 && !Value.Contains(':', StringComparison.Ordinal) && !host.EndsWith(']')
            && host.AsSpan(0, colon).Equals(Value, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A query parameter named <see cref="Name"/> whose (decoded) value is <see cref="Value"/>.</summary>
    private bool QueryMatches(string? path)
    {
        var question = path?.IndexOf('?', StringComparison.Ordinal) ?? -1;
        if (question < 0)
        {
            return false;
        }
        var query = path!.AsSpan(question + 1);
        var hash = query.IndexOf('#');
        if (hash >= 0)
        {
            query = query[..hash];
        }
        foreach (var range in query.Split('&'))
        {
            var pair = query[range];
            var equals = pair.IndexOf('=');
            var key = equals < 0 ? pair : pair[..equals];
            var value = equals < 0 ? [] : pair[(equals + 1)..];
            if (Decode(key) == Name && Decode(value) == Value)
            {
                return true;
            }
        }
        return false;
    }

    private static string Decode(ReadOnlySpan<char> text) => Uri.UnescapeDataString(text.ToString().Replace('+', ' '));

    /// <inheritdoc />
    public override string ToString() => $"{(Target == HttpTarget.Request ? "request" : "response")}.{Test}({Name})={Value}";
}
