using System.Globalization;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace AgentSight.Plugins.SessionStore;

/// <summary>
/// A write statement prepared once per connection and run for every row through SQLite's own API, its values bound by
/// position. It runs inside whatever transaction the connection has open.
/// </summary>
/// <remarks>
/// Microsoft.Data.Sqlite looks every parameter up by name, converted to UTF-8, on every run: for a session's events
/// that binding cost more than SQLite's insert itself (issue 11's profile of a process-heavy session). Errors are
/// thrown as <see cref="SqliteException"/>, as Microsoft.Data.Sqlite throws them, so a full disk is handled the same.
/// </remarks>
internal sealed class PreparedInsert : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    private readonly string[] _names;

    public PreparedInsert(SqliteConnection connection, string sql)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("the session database is not open");
        var rc = raw.sqlite3_prepare_v2(_db, sql, out _statement);
        SqliteException.ThrowExceptionForRC(rc, _db);
        _names = new string[raw.sqlite3_bind_parameter_count(_statement)];
        for (var i = 0; i < _names.Length; i++)
        {
            _names[i] = raw.sqlite3_bind_parameter_name(_statement, i + 1).utf8_to_string();
        }
    }

    /// <summary>Runs the statement with these values, given in the statement's parameter order (checked by name).</summary>
    public void Run(params ReadOnlySpan<(string Name, object? Value)> values)
    {
        if (values.Length != _names.Length)
        {
            throw new InvalidOperationException($"the statement has {_names.Length} parameters, {values.Length} values were given");
        }
        for (var i = 0; i < values.Length; i++)
        {
            if (!string.Equals(_names[i], values[i].Name, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"parameter {i + 1} is {_names[i]}, not {values[i].Name}: give the values in the statement's order");
            }
            Bind(i + 1, values[i].Value);
        }
        var rc = raw.sqlite3_step(_statement);
        raw.sqlite3_reset(_statement);
        if (rc != raw.SQLITE_DONE)
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
        }
    }

    private void Bind(int index, object? value)
    {
        var rc = value switch
        {
            null => raw.sqlite3_bind_null(_statement, index),
            string text => raw.sqlite3_bind_text(_statement, index, text),
            // UTF-8 already: bound as text without a round trip through a .NET string.
            ReadOnlyMemory<byte> utf8 => raw.sqlite3_bind_text(_statement, index, utf8.Span),
            long number => raw.sqlite3_bind_int64(_statement, index, number),
            int number => raw.sqlite3_bind_int64(_statement, index, number),
            bool flag => raw.sqlite3_bind_int64(_statement, index, flag ? 1 : 0),
            double real => raw.sqlite3_bind_double(_statement, index, real),
            float real => raw.sqlite3_bind_double(_statement, index, real),
            uint number => raw.sqlite3_bind_int64(_statement, index, number),
            short number => raw.sqlite3_bind_int64(_statement, index, number),
            ushort number => raw.sqlite3_bind_int64(_statement, index, number),
            byte number => raw.sqlite3_bind_int64(_statement, index, number),
            IFormattable other => raw.sqlite3_bind_text(_statement, index, other.ToString(null, CultureInfo.InvariantCulture)),
            _ => raw.sqlite3_bind_text(_statement, index, value.ToString()),
        };
        SqliteException.ThrowExceptionForRC(rc, _db);
    }

    public void Dispose() => _statement.Dispose();
}
