using AgentSight.Contracts;
using Microsoft.Data.Sqlite;

namespace AgentSight.Plugins.SessionStore;

/// <summary>
/// Checks a session database before a pipeline is started on it: <c>report</c> and <c>serve</c> would otherwise open
/// their sink first and, when the file turns out to be unreadable, show an empty session as if it were one.
/// </summary>
internal static class SessionDatabaseCheck
{
    private static readonly byte[] SqliteHeader = "SQLite format 3\0"u8.ToArray();

    /// <summary>SQLite's result codes for a file it cannot read as a database (SQLITE_CORRUPT, SQLITE_NOTADB).</summary>
    private const int Corrupt = 11;
    private const int NotADatabase = 26;

    /// <summary>True when a file starts with SQLite's header (what this plugin writes; whether it is a session, <see cref="Check"/> says).</summary>
    public static bool IsSqlite(ReadOnlySpan<byte> header) => header.StartsWith(SqliteHeader);

    /// <summary>Why <paramref name="path"/> cannot be read as a stored session, or null when it can.</summary>
    /// <remarks>
    /// Reads the meta table, then runs <c>PRAGMA quick_check</c>, which walks every page: a copy cut short (a truncated
    /// download, a disk that filled up) is found here, not half way through the report. It reads the whole file once;
    /// the report reads it all anyway.
    /// </remarks>
    public static SessionProblem? Check(string path)
    {
        try
        {
            using var db = new SqliteConnection(new SqliteConnectionStringBuilder
            {
                DataSource = path,
                Mode = SqliteOpenMode.ReadOnly,
                Pooling = false,
            }.ToString());
            db.Open();
            if (!HasTable(db, "meta") || Meta(db, "schema_version") is not { } version)
            {
                return new SessionProblem($"{path} is a SQLite database but not a stored session (it has no schema_version in its meta table)",
                    Damaged: false);
            }
            if (version != Schema.Version.ToString(System.Globalization.CultureInfo.InvariantCulture))
            {
                return new SessionProblem($"{path} is a stored session of schema version {version}; this agentsight reads version {Schema.Version}", Damaged: false);
            }
            using var check = db.CreateCommand();
            check.CommandText = "PRAGMA quick_check(1)";
            var verdict = check.ExecuteScalar() as string;
            return verdict == "ok" ? null : Damage(path, verdict ?? "the integrity check gave no answer");
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode is Corrupt or NotADatabase)
        {
            return Damage(path, Describe(ex));
        }
        catch (SqliteException ex)
        {
            return new SessionProblem($"{path} cannot be read: {Describe(ex)}", Damaged: false);
        }
    }

    /// <summary>The message for a session database SQLite cannot read: the file, and SQLite's own words.</summary>
    public static SessionProblem Damage(string path, string detail) =>
        new($"the session database is damaged: {path}: {detail} (it may have been cut short or changed after it was written)", Damaged: true);

    /// <summary>True for SQLite's errors that mean the file is not an intact database.</summary>
    public static bool IsDamage(SqliteException ex) => ex.SqliteErrorCode is Corrupt or NotADatabase;

    /// <summary>SQLite's message without the wrapper: <c>database disk image is malformed</c>.</summary>
    public static string Describe(SqliteException ex)
    {
        var message = ex.Message;
        var quote = message.IndexOf('\'', StringComparison.Ordinal);
        var end = message.LastIndexOf('\'');
        return quote >= 0 && end > quote ? message[(quote + 1)..end] : message;
    }

    private static bool HasTable(SqliteConnection db, string name)
    {
        using var command = db.CreateCommand();
        command.CommandText = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = $name";
        command.Parameters.AddWithValue("$name", name);
        return command.ExecuteScalar() is not null;
    }

    private static string? Meta(SqliteConnection db, string key)
    {
        using var command = db.CreateCommand();
        command.CommandText = "SELECT value FROM meta WHERE key = $key";
        command.Parameters.AddWithValue("$key", key);
        return command.ExecuteScalar() as string;
    }
}
