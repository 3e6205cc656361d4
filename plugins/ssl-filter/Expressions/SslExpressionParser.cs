using System.Globalization;
using System.Text;
using AgentSight.Plugins.Common.Filters;

namespace AgentSight.Plugins.SslFilter.Expressions;

/// <summary>
/// Parses the original tool's <c>--ssl-filter</c> syntax: <c>field op value</c> conditions joined by <c>&amp;</c>
/// (binds tighter) and <c>|</c>, grouped with parentheses, with the escapes <c>\r \n \t \\ \"</c>.
/// </summary>
/// <remarks>
/// The original split the text recursively and guessed the operator by searching the whole condition, so
/// <c>data~a=b</c> became the unknown field <c>data~a</c>, unbalanced parentheses hid the operators after them, and
/// anything it could not read silently never matched. This is a real parser: the field is a name, the operator is
/// the first one after it, and anything it cannot read is a <see cref="FilterSyntaxException"/> with the position.
/// </remarks>
public sealed class SslExpressionParser
{
    private const int MaxDepth = 64;

    private static readonly System.Buffers.SearchValues<char> HexDigits = System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");

    private readonly string _text;
    private int _pos;
    private int _groups;

    private SslExpressionParser(string text) => _text = text;

    /// <summary>Parses one expression or throws <see cref="FilterSyntaxException"/>.</summary>
    public static SslExpression Parse(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        var parser = new SslExpressionParser(expression);
        parser.SkipSpaces();
        if (parser.AtEnd)
        {
            throw parser.Error(1, "the expression is empty; write a condition such as data~gzip or len<10");
        }
        var result = parser.ParseOr();
        parser.SkipSpaces();
        if (!parser.AtEnd)
        {
            throw parser.Error(parser._pos + 1, parser.Current == ')'
                ? "')' closes no '('; write \\) for a parenthesis inside a value"
                : $"expected '&', '|' or the end, found '{parser.Current}'");
        }
        return result;
    }

    private bool AtEnd => _pos >= _text.Length;

    private char Current => _text[_pos];

    private SslExpression ParseOr()
    {
        var left = ParseAnd();
        while (true)
        {
            SkipSpaces();
            if (AtEnd || Current != '|')
            {
                return left;
            }
            _pos++;
            left = new SslOr(left, ParseAnd());
        }
    }

    private SslExpression ParseAnd()
    {
        var left = ParsePrimary();
        while (true)
        {
            SkipSpaces();
            if (AtEnd || Current != '&')
            {
                return left;
            }
            _pos++;
            left = new SslAnd(left, ParsePrimary());
        }
    }

    private SslExpression ParsePrimary()
    {
        SkipSpaces();
        if (AtEnd)
        {
            throw Error(_pos + 1, _pos > 0 && _text[_pos - 1] is '|' or '&'
                ? $"expected a condition after '{_text[_pos - 1]}' (an empty alternative would match nothing or everything)"
                : "expected a condition");
        }
        switch (Current)
        {
            case '|' or '&':
                throw Error(_pos + 1, $"expected a condition before '{Current}'");
            case ')':
                throw Error(_pos + 1, "expected a condition before ')'");
            case '(':
                var open = _pos;
                if (++_groups > MaxDepth)
                {
                    throw Error(_pos + 1, $"more than {MaxDepth} nested parentheses");
                }
                _pos++;
                var inner = ParseOr();
                SkipSpaces();
                if (AtEnd)
                {
                    throw Error(_pos + 1, $"expected ')' to close the '(' at position {open + 1}");
                }
                if (Current != ')')
                {
                    throw Error(_pos + 1, $"expected '&', '|' or ')' (closing the '(' at position {open + 1}), found '{Current}'");
                }
                _pos++;
                _groups--;
                return inner;
            default:
                return ParseCondition();
        }
    }

    private SslCondition ParseCondition()
    {
        var fieldStart = _pos;
        while (!AtEnd && (char.IsAsciiLetterOrDigit(Current) || Current is '_' or '.'))
        {
            _pos++;
        }
        if (_pos == fieldStart)
        {
            throw Error(_pos + 1, $"expected a field name ({string.Join(", ", SslFields.Names)}), found '{Current}'");
        }
        var name = _text[fieldStart.._pos];
        if (!SslFields.TryGet(name.ToLowerInvariant(), out var field, out var kind))
        {
            var closest = SslFields.Closest(name);
            throw Error(fieldStart + 1, $"unknown field \"{name}\"{(closest is null ? "" : $" (did you mean \"{closest}\"?)")}; " +
                                        $"known fields: {string.Join(", ", SslFields.Names)}");
        }
        SkipSpaces();
        var opStart = _pos;
        var op = ReadOperator() ?? throw Error(opStart + 1,
            $"expected an operator after \"{name}\" ({string.Join(" ", SslFields.OperatorsOf(kind).Select(SslFields.Spell))})");
        if (!SslFields.OperatorsOf(kind).Contains(op))
        {
            throw Error(opStart + 1, $"{name} does not take {SslFields.Spell(op)}; it takes {string.Join(" ", SslFields.OperatorsOf(kind).Select(SslFields.Spell))}");
        }
        var (raw, valueStart) = ReadRawValue();
        var value = Unescape(raw);
        return Build(name, field, kind, op, value, valueStart + 1);
    }

    private SslOperator? ReadOperator()
    {
        if (AtEnd)
        {
            return null;
        }
        var next = _pos + 1 < _text.Length ? _text[_pos + 1] : '\0';
        SslOperator? two = (Current, next) switch
        {
            ('>', '=') => SslOperator.GreaterOrEqual,
            ('<', '=') => SslOperator.LessOrEqual,
            ('!', '=') => SslOperator.NotEqual,
            ('^', '=') => SslOperator.StartsWith,
            ('$', '=') => SslOperator.EndsWith,
            _ => null,
        };
        if (two is not null)
        {
            _pos += 2;
            return two;
        }
        SslOperator? one = Current switch
        {
            '=' => SslOperator.Equal,
            '>' => SslOperator.Greater,
            '<' => SslOperator.Less,
            '~' => SslOperator.Contains,
            _ => null,
        };
        if (one is not null)
        {
            _pos++;
        }
        return one;
    }

    /// <summary>
    /// The value's text up to the next unescaped <c>|</c> or <c>&amp;</c>, or the <c>)</c> that closes the group the
    /// condition is in; surrounding spaces removed (as the original did, before escapes are applied).
    /// </summary>
    /// <remarks>
    /// Parentheses inside a value are kept when they pair up (<c>data~f(x)</c>); a <c>)</c> at top level with no group
    /// open is kept too, as the original did. Inside a group, write <c>\)</c> for a lone one.
    /// </remarks>
    private (string Raw, int Start) ReadRawValue()
    {
        var start = _pos;
        var depth = 0;
        while (!AtEnd)
        {
            var c = Current;
            if (c == '\\' && _pos + 1 < _text.Length)
            {
                _pos += 2;
                continue;
            }
            if (c is '|' or '&')
            {
                break;
            }
            if (c == '(')
            {
                depth++;
            }
            else if (c == ')')
            {
                if (depth > 0)
                {
                    depth--;
                }
                else if (_groups > 0)
                {
                    break;
                }
            }
            _pos++;
        }
        var raw = _text[start.._pos];
        var leading = raw.Length - raw.TrimStart().Length;
        return (raw.Trim(), start + leading);
    }

    private SslCondition Build(string name, SslField field, SslFieldKind kind, SslOperator op, string value, int position)
    {
        switch (kind)
        {
            case SslFieldKind.Integer:
                if (!ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var integer) || integer > long.MaxValue)
                {
                    throw Error(position, $"{name} takes a whole number, got \"{value}\"");
                }
                return new SslCondition(field, op, value, [], (long)integer, false);
            case SslFieldKind.Milliseconds:
                if (!decimal.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var ms) || ms > long.MaxValue / 1_000_000m)
                {
                    throw Error(position, $"{name} takes a number of milliseconds such as 12.5, got \"{value}\"");
                }
                return new SslCondition(field, op, value, [], (long)Math.Round(ms * 1_000_000m), false);
            case SslFieldKind.Boolean:
                var flag = value.ToLowerInvariant() switch
                {
                    "true" => true,
                    "false" => false,
                    _ => throw Error(position, $"{name} takes true or false, got \"{value}\""),
                };
                return new SslCondition(field, op, value, [], 0, flag);
            case SslFieldKind.Choice:
                if (value is not ("text" or "binary"))
                {
                    throw Error(position, $"{name} is text or binary, got \"{value}\"");
                }
                return new SslCondition(field, op, value, [], 0, false);
            default:
                if (value.Length == 0 && op is not (SslOperator.Equal or SslOperator.NotEqual))
                {
                    throw Error(position, $"{name}{SslFields.Spell(op)} needs a value: an empty one would match every event");
                }
                if (field == SslField.Function && op is SslOperator.Equal or SslOperator.NotEqual
                    && value is not ("READ/RECV" or "WRITE/SEND" or "HANDSHAKE"))
                {
                    throw Error(position, $"function is READ/RECV, WRITE/SEND or HANDSHAKE, got \"{value}\"");
                }
                return new SslCondition(field, op, value, field == SslField.Data ? DataBytes(value, position) : [], 0, false);
        }
    }

    /// <summary>
    /// What a <c>data</c> value matches: its UTF-8 bytes, or, written <c>HEX:</c> and hex digits like binary payloads
    /// are shown, those bytes.
    /// </summary>
    private byte[] DataBytes(string value, int position)
    {
        if (!value.StartsWith("HEX:", StringComparison.Ordinal))
        {
            return Encoding.UTF8.GetBytes(value);
        }
        var hex = value.AsSpan(4);
        if (hex.Length == 0 || hex.Length % 2 != 0 || hex.ContainsAnyExcept(HexDigits))
        {
            throw Error(position, $"a HEX: value needs an even number of hex digits, got \"{value}\"");
        }
        return Convert.FromHexString(hex);
    }

    /// <summary>
    /// The original's escapes (<c>\r \n \t \\ \"</c>), plus <c>\| \&amp; \( \)</c> for those characters in a value;
    /// any other backslash stays as it is, as in the original.
    /// </summary>
    internal static string Unescape(string raw)
    {
        if (!raw.Contains('\\', StringComparison.Ordinal))
        {
            return raw;
        }
        var text = new StringBuilder(raw.Length);
        for (var i = 0; i < raw.Length; i++)
        {
            var c = raw[i];
            if (c != '\\' || i + 1 >= raw.Length)
            {
                text.Append(c);
                continue;
            }
            var next = raw[i + 1];
            char? unescaped = next switch
            {
                'r' => '\r',
                'n' => '\n',
                't' => '\t',
                '\\' or '"' or '|' or '&' or '(' or ')' => next,
                _ => null,
            };
            if (unescaped is { } u)
            {
                text.Append(u);
                i++;
            }
            else
            {
                text.Append(c);
            }
        }
        return text.ToString();
    }

    private void SkipSpaces()
    {
        while (!AtEnd && char.IsWhiteSpace(Current))
        {
            _pos++;
        }
    }

    private FilterSyntaxException Error(int position, string problem) => new(_text, position, problem);
}
