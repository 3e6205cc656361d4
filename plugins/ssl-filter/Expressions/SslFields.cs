namespace AgentSight.Plugins.SslFilter.Expressions;

/// <summary>Field names as written in expressions, and how each compares.</summary>
public static class SslFields
{
    private static readonly (string Name, SslField Field, SslFieldKind Kind)[] Table =
    [
        ("data", SslField.Data, SslFieldKind.Bytes),
        ("data.type", SslField.DataType, SslFieldKind.Choice),
        ("function", SslField.Function, SslFieldKind.Text),
        ("comm", SslField.Comm, SslFieldKind.Text),
        ("is_handshake", SslField.IsHandshake, SslFieldKind.Boolean),
        ("truncated", SslField.Truncated, SslFieldKind.Boolean),
        ("len", SslField.Length, SslFieldKind.Integer),
        ("pid", SslField.Pid, SslFieldKind.Integer),
        ("tid", SslField.Tid, SslFieldKind.Integer),
        ("uid", SslField.Uid, SslFieldKind.Integer),
        ("timestamp_ns", SslField.TimestampNs, SslFieldKind.Integer),
        ("latency_ms", SslField.LatencyMs, SslFieldKind.Milliseconds),
        ("bytes_lost", SslField.BytesLost, SslFieldKind.Integer),
        ("conn_id", SslField.ConnectionId, SslFieldKind.Text),
        ("lib", SslField.Library, SslFieldKind.Text),
    ];

    /// <summary>Every field name, in the order the documentation lists them.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Table.Select(t => t.Name)];

    /// <summary>Looks a field up by its exact (lowercase) name.</summary>
    public static bool TryGet(string name, out SslField field, out SslFieldKind kind)
    {
        foreach (var entry in Table)
        {
            if (entry.Name == name)
            {
                (field, kind) = (entry.Field, entry.Kind);
                return true;
            }
        }
        (field, kind) = (default, default);
        return false;
    }

    /// <summary>The name of a field as written in expressions.</summary>
    public static string NameOf(SslField field) => Table.First(t => t.Field == field).Name;

    /// <summary>The operators a kind of field accepts.</summary>
    public static IReadOnlyList<SslOperator> OperatorsOf(SslFieldKind kind) => kind switch
    {
        SslFieldKind.Bytes or SslFieldKind.Text =>
            [SslOperator.Equal, SslOperator.NotEqual, SslOperator.Contains, SslOperator.StartsWith, SslOperator.EndsWith],
        SslFieldKind.Choice or SslFieldKind.Boolean => [SslOperator.Equal, SslOperator.NotEqual],
        _ => [SslOperator.Equal, SslOperator.NotEqual, SslOperator.Greater, SslOperator.Less, SslOperator.GreaterOrEqual, SslOperator.LessOrEqual],
    };

    /// <summary>The spelling of an operator.</summary>
    public static string Spell(SslOperator op) => op switch
    {
        SslOperator.Equal => "=",
        SslOperator.NotEqual => "!=",
        SslOperator.Contains => "~",
        SslOperator.StartsWith => "^=",
        SslOperator.EndsWith => "$=",
        SslOperator.Greater => ">",
        SslOperator.Less => "<",
        SslOperator.GreaterOrEqual => ">=",
        _ => "<=",
    };

    /// <summary>The closest known field name to a misspelt one, or null.</summary>
    public static string? Closest(string name)
    {
        string? best = null;
        var bestDistance = 3;
        foreach (var candidate in Names)
        {
            var distance = Distance(name, candidate);
            if (distance < bestDistance)
            {
                (best, bestDistance) = (candidate, distance);
            }
        }
        return best;
    }

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = char.ToLowerInvariant(a[i - 1]) == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
