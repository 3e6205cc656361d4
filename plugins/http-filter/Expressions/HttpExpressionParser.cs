using System.Globalization;
using System.Text;
using AgentSight.Plugins.Common.Filters;

namespace AgentSight.Plugins.HttpFilter.Expressions;

/// <summary>
/// Parses the original tool's <c>--http-filter</c> syntax: <c>|</c> between alternatives, <c>&amp;</c> between
/// conditions, each condition <c>target.field=value</c>, <c>field=value</c> (a request field) or a bare word (the
/// request path contains it). No parentheses, as in the original; <c>\|</c> and <c>\&amp;</c> put those
/// characters in a value.
/// </summary>
/// <remarks>
/// Fixed from the original: an empty alternative or condition (<c>a || b</c>, a trailing <c>|</c>) was a test that
/// matched every request; an unknown target or an unreadable status silently never matched. All of these are
/// errors here, with the position.
/// </remarks>
public static class HttpExpressionParser
{
    /// <summary>Parses one expression or throws <see cref="FilterSyntaxException"/>.</summary>
    public static HttpExpression Parse(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        if (expression.Trim().Length == 0)
        {
            throw new FilterSyntaxException(expression, 1, "the expression is empty; write a condition such as request.method=HEAD");
        }
        var alternatives = new List<IReadOnlyList<HttpCondition>>();
        foreach (var (start, end) in Split(expression, 0, expression.Length, '|'))
        {
            var conditions = new List<HttpCondition>();
            foreach (var (conditionStart, conditionEnd) in Split(expression, start, end, '&'))
            {
                conditions.Add(ParseCondition(expression, conditionStart, conditionEnd));
            }
            alternatives.Add(conditions);
        }
        return new HttpExpression(expression, alternatives);
    }

    /// <summary>The parts of text[start..end) between unescaped separators; an empty part is an error.</summary>
    private static List<(int Start, int End)> Split(string text, int start, int end, char separator)
    {
        var parts = new List<(int, int)>();
        var partStart = start;
        for (var i = start; i <= end; i++)
        {
            if (i < end && text[i] == '\\' && i + 1 < end)
            {
                i++;
                continue;
            }
            if (i < end && text[i] != separator)
            {
                continue;
            }
            if (text.AsSpan(partStart, i - partStart).Trim().Length == 0)
            {
                var where = i < end ? $"before the '{separator}' at position {i + 1}" : $"after the '{separator}' at position {partStart}";
                throw new FilterSyntaxException(text, i < end ? i + 1 : partStart,
                    $"empty {(separator == '|' ? "alternative" : "condition")} {where}" +
                    " (the original matched every request here; remove it or write a condition)");
            }
            parts.Add((partStart, i));
            partStart = i + 1;
        }
        return parts;
    }

    private static HttpCondition ParseCondition(string text, int start, int end)
    {
        while (start < end && char.IsWhiteSpace(text[start]))
        {
            start++;
        }
        var raw = text[start..end].TrimEnd();
        var equals = raw.IndexOf('=', StringComparison.Ordinal);
        if (equals < 0)
        {
            // The original's first form: a bare word is a substring of the request path.
            return new HttpCondition(HttpTarget.Request, HttpTest.PathContains, "path", Unescape(raw));
        }
        var key = raw[..equals].Trim();
        var value = Unescape(raw[(equals + 1)..].Trim());
        var position = start + 1;
        if (key.Length == 0)
        {
            throw new FilterSyntaxException(text, position, "expected a field name before '='");
        }
        if (key[^1] is '!' or '<' or '>' or '~' or '^' or '$')
        {
            throw new FilterSyntaxException(text, start + equals, $"http filters only compare with '=' (\"{key[^1]}=\" is not an operator here)");
        }
        foreach (var c in key)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('_' or '-' or '.'))
            {
                throw new FilterSyntaxException(text, position + key.IndexOf(c, StringComparison.Ordinal),
                    $"'{c}' cannot be part of a field name (\"{key}\"); fields are like request.method or response.status_code");
            }
        }

        var target = HttpTarget.Request;
        var field = key;
        var dot = key.IndexOf('.', StringComparison.Ordinal);
        if (dot >= 0)
        {
            var targetName = key[..dot].ToLowerInvariant();
            target = targetName switch
            {
                "request" or "req" => HttpTarget.Request,
                "response" or "resp" or "res" => HttpTarget.Response,
                _ => throw new FilterSyntaxException(text, position,
                    $"unknown target \"{key[..dot]}\" in \"{key}\"; use request. (req.) or response. (resp., res.)"),
            };
            field = key[(dot + 1)..];
            if (field.Length == 0)
            {
                throw new FilterSyntaxException(text, position + dot + 1, $"expected a field name after \"{key}\"");
            }
        }
        return Resolve(text, position, target, field, value);
    }

    private static HttpCondition Resolve(string text, int position, HttpTarget target, string field, string value)
    {
        var lower = field.ToLowerInvariant();
        if (lower.StartsWith("headers.", StringComparison.Ordinal) || lower.StartsWith("header.", StringComparison.Ordinal))
        {
            var header = lower[(lower.IndexOf('.', StringComparison.Ordinal) + 1)..];
            if (header.Length == 0)
            {
                throw new FilterSyntaxException(text, position, $"expected a header name after \"{field}\"");
            }
            return new HttpCondition(target, HttpTest.Header, header, value);
        }
        if (target == HttpTarget.Request)
        {
            var test = lower switch
            {
                "method" or "verb" => HttpTest.Method,
                "path" or "path_exact" => HttpTest.PathExact,
                "path_prefix" or "path_starts_with" => HttpTest.PathPrefix,
                "path_contains" or "path_includes" => HttpTest.PathContains,
                "host" or "hostname" => HttpTest.Host,
                "body" or "body_contains" => HttpTest.Body,
                _ => HttpTest.QueryParameter,
            };
            if (value.Length == 0 && test is not (HttpTest.Body or HttpTest.QueryParameter))
            {
                throw new FilterSyntaxException(text, position, $"{field}= needs a value (an empty one matched every request in the original)");
            }
            if (test == HttpTest.QueryParameter && lower.Contains('.', StringComparison.Ordinal))
            {
                throw new FilterSyntaxException(text, position,
                    $"unknown request field \"{field}\"; fields: method, path, path_prefix, path_contains, host, body, headers.NAME, or a query parameter name");
            }
            // Query parameter names are case-sensitive, so they keep the spelling they were written with.
            return new HttpCondition(target, test, test == HttpTest.QueryParameter ? field : lower, value);
        }
        switch (lower)
        {
            case "status_code" or "status" or "code":
                if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var status) || status > 999)
                {
                    throw new FilterSyntaxException(text, position, $"{field} takes an HTTP status such as 202, got \"{value}\"");
                }
                return new HttpCondition(target, HttpTest.Status, lower, value);
            case "status_text" or "status_message":
                if (value.Length == 0)
                {
                    throw new FilterSyntaxException(text, position, $"{field}= needs a value (an empty one would match every response)");
                }
                return new HttpCondition(target, HttpTest.StatusText, lower, value);
            case "body" or "body_contains":
                return new HttpCondition(target, HttpTest.Body, lower, value);
            case "content_type" or "content-type":
                return new HttpCondition(target, HttpTest.Header, "content-type", value);
            default:
                // The original's last rule: any other response field is a header whose value contains the value.
                return new HttpCondition(target, HttpTest.Header, lower, value);
        }
    }

    /// <summary><c>\|</c> and <c>\&amp;</c> stand for those characters; every other backslash is kept, as in the original.</summary>
    private static string Unescape(string raw)
    {
        if (!raw.Contains('\\', StringComparison.Ordinal))
        {
            return raw;
        }
        var text = new StringBuilder(raw.Length);
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] == '\\' && i + 1 < raw.Length && raw[i + 1] is '|' or '&')
            {
                i++;
            }
            text.Append(raw[i]);
        }
        return text.ToString();
    }
}
