using System.Globalization;
using AgentSight.Plugins.Web.Session;
using Microsoft.AspNetCore.Http;

namespace AgentSight.Plugins.Web.Server;

/// <summary>Reads API query parameters; a malformed one is a 400 naming it, never a silent default.</summary>
internal sealed class QueryReader(IQueryCollection query)
{
    public string? Text(string name) => query.TryGetValue(name, out var values) && values.Count > 0 && !string.IsNullOrEmpty(values[^1]) ? values[^1] : null;

    public long? Long(string name)
    {
        if (Text(name) is not { } text)
        {
            return null;
        }
        // Browsers hold epoch nanoseconds as doubles: accept "1.7955144e18" as well as integers.
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) && double.IsFinite(real)
            && real is >= long.MinValue and <= long.MaxValue)
        {
            return (long)real;
        }
        throw new BadQueryException($"{name} must be a number (got \"{text}\")");
    }

    public int? OptionalInt(string name)
    {
        if (Text(name) is not { } text)
        {
            return null;
        }
        return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new BadQueryException($"{name} must be an integer (got \"{text}\")");
    }

    public bool? OptionalBool(string name) => Text(name) switch
    {
        null => null,
        "1" or "true" or "yes" => true,
        "0" or "false" or "no" => false,
        var text => throw new BadQueryException($"{name} must be true or false (got \"{text}\")"),
    };

    public int Int(string name, int fallback, int min, int max)
    {
        var value = OptionalInt(name) ?? fallback;
        return value < min || value > max ? throw new BadQueryException($"{name} must be between {min} and {max} (got {value})") : value;
    }

    public TextMatcher? Matcher(string name) => Text(name) is { } text ? new TextMatcher(text) : null;

    public EventFilter EventFilter()
    {
        var filter = new EventFilter
        {
            Pid = OptionalInt("pid"),
            ProcessId = OptionalInt("process"),
            Comm = Text("comm"),
            Text = Matcher("q"),
            From = Long("from"),
            To = Long("to"),
        };
        if (Text("source") is { } sources)
        {
            foreach (var source in sources.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                filter.Sources.Add(source);
            }
        }
        return filter;
    }
}
