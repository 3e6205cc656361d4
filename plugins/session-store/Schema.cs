namespace AgentSight.Plugins.SessionStore;

/// <summary>The database's tables (docs/SESSION-STORE.md describes each column).</summary>
internal static class Schema
{
    /// <summary>
    /// Bumped on any change a reader must know of; stored in <c>meta.schema_version</c>. The host's reader
    /// (<c>SessionDatabaseRunner</c>) refuses any other version, so an additive change does not bump it: see <see cref="Minor"/>.
    /// </summary>
    public const int Version = 1;

    /// <summary>
    /// Bumped on each additive change, which a reader of the same <see cref="Version"/> may ignore (a new table or
    /// column); stored in <c>meta.schema_minor</c>, absent meaning 1. 2: the <c>connections</c> table. 3: the
    /// processes' container (<c>container_id</c>, <c>container_runtime</c>, <c>pod_uid</c>).
    /// </summary>
    public const int Minor = 3;

    public const string Create = """
        CREATE TABLE meta (
          key   TEXT PRIMARY KEY,
          value TEXT
        );
        CREATE TABLE events (
          seq       INTEGER PRIMARY KEY,
          timestamp INTEGER NOT NULL,
          source    TEXT    NOT NULL,
          pid       INTEGER NOT NULL,
          tid       INTEGER NOT NULL,
          comm      TEXT    NOT NULL,
          json      TEXT    NOT NULL
        );
        CREATE TABLE processes (
          id          INTEGER PRIMARY KEY,
          pid         INTEGER NOT NULL,
          ppid        INTEGER,
          parent_id   INTEGER,
          comm        TEXT    NOT NULL,
          filename    TEXT,
          argv        TEXT,
          start_ns    INTEGER NOT NULL,
          start_known INTEGER NOT NULL,
          exec_ns     INTEGER,
          end_ns      INTEGER,
          last_seen_ns INTEGER NOT NULL,
          exit_code   INTEGER,
          signal      INTEGER,
          core_dumped INTEGER NOT NULL,
          duration_ms REAL,
          container_id      TEXT,
          container_runtime TEXT,
          pod_uid           TEXT
        );
        CREATE INDEX processes_pid ON processes (pid);
        CREATE TABLE files (
          event_seq  INTEGER PRIMARY KEY,
          timestamp  INTEGER NOT NULL,
          process_id INTEGER,
          pid        INTEGER NOT NULL,
          comm       TEXT    NOT NULL,
          path       TEXT    NOT NULL,
          flags      INTEGER,
          mode       INTEGER,
          access     TEXT    NOT NULL,
          writes     INTEGER,
          fd         INTEGER,
          error      TEXT,
          errno      INTEGER
        );
        CREATE TABLE http_exchanges (
          exchange_id        TEXT PRIMARY KEY,
          event_seq          INTEGER NOT NULL,
          timestamp          INTEGER NOT NULL,
          pid                INTEGER NOT NULL,
          comm               TEXT    NOT NULL,
          method             TEXT,
          host               TEXT,
          path               TEXT,
          status             INTEGER,
          duration_ms        REAL,
          ttfb_ms            REAL,
          request_start_ns   INTEGER,
          response_end_ns    INTEGER,
          complete           INTEGER NOT NULL,
          end_reason         TEXT,
          request_body_size  INTEGER,
          response_body_size INTEGER,
          streamed           INTEGER NOT NULL
        );
        CREATE TABLE llm_calls (
          event_seq             INTEGER PRIMARY KEY,
          timestamp             INTEGER NOT NULL,
          start_ns              INTEGER NOT NULL,
          end_ns                INTEGER NOT NULL,
          pid                   INTEGER NOT NULL,
          comm                  TEXT    NOT NULL,
          exchange_id           TEXT,
          provider              TEXT,
          operation             TEXT,
          model                 TEXT    NOT NULL,
          request_model         TEXT,
          response_model        TEXT,
          input_tokens          INTEGER,
          output_tokens         INTEGER,
          cache_read_tokens     INTEGER,
          cache_creation_tokens INTEGER,
          reasoning_tokens      INTEGER,
          duration_ms           REAL,
          ttft_ms               REAL,
          ttfc_ms               REAL,
          status_code           INTEGER,
          error_type            TEXT,
          streaming             INTEGER,
          complete              INTEGER,
          truncated             INTEGER,
          server_address        TEXT,
          url_path              TEXT,
          finish_reasons        TEXT
        );
        CREATE INDEX llm_calls_model ON llm_calls (model);
        CREATE TABLE connections (
          id          INTEGER PRIMARY KEY,
          first_seq   INTEGER NOT NULL,
          start_ns    INTEGER NOT NULL,
          last_ns     INTEGER NOT NULL,
          process_id  INTEGER,
          pid         INTEGER NOT NULL,
          comm        TEXT    NOT NULL,
          fd          INTEGER,
          host        TEXT    NOT NULL,
          family      TEXT,
          address     TEXT,
          port        INTEGER,
          path        TEXT,
          result      TEXT,
          error       TEXT,
          tls         INTEGER NOT NULL,
          server_name TEXT,
          remote      TEXT,
          alpn        TEXT,
          tls13       INTEGER,
          unseen      INTEGER NOT NULL,
          binary      TEXT,
          program     TEXT,
          reason      TEXT,
          connect_seq INTEGER,
          hello_seq   INTEGER,
          unseen_seq  INTEGER
        );
        CREATE INDEX connections_host ON connections (host);
        CREATE INDEX connections_pid ON connections (pid);
        CREATE TABLE pipeline_counters (
          snapshot  INTEGER NOT NULL,
          taken_ns  INTEGER NOT NULL,
          final     INTEGER NOT NULL,
          scope     TEXT    NOT NULL,
          id        TEXT    NOT NULL,
          plugin    TEXT,
          position  INTEGER,
          kind      TEXT,
          state     TEXT,
          backpressure TEXT,
          name      TEXT    NOT NULL,
          value     INTEGER NOT NULL,
          PRIMARY KEY (snapshot, scope, id, name)
        );
        """;

    /// <summary>
    /// The indexes of the two tables that grow with every event, built once when the session ends rather than kept up
    /// to date on every insert: on a traced agent's keep-alive traffic that upkeep was a tenth of the host's CPU, taken
    /// from the cores the agent runs on. A session still being written, or cut short, has none: its queries work, by
    /// scanning.
    /// </summary>
    public const string GrowingTableIndexes = """
        CREATE INDEX IF NOT EXISTS events_timestamp ON events (timestamp);
        CREATE INDEX IF NOT EXISTS events_source ON events (source, seq);
        CREATE INDEX IF NOT EXISTS events_pid ON events (pid, seq);
        CREATE INDEX IF NOT EXISTS files_path ON files (path);
        """;
}
