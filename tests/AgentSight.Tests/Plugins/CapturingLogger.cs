using Microsoft.Extensions.Logging;

namespace AgentSight.Tests.Plugins;

/// <summary>An <see cref="ILogger"/> that keeps what a plugin logs, from any thread.</summary>
public sealed class CapturingLogger : ILogger
{
    private readonly List<LogEntry> _entries = [];

    public IReadOnlyList<LogEntry> Entries
    {
        get
        {
            lock (_entries)
            {
                return [.. _entries];
            }
        }
    }

    public IEnumerable<LogEntry> At(LogLevel level) => Entries.Where(e => e.Level == level);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_entries)
        {
            _entries.Add(new LogEntry(logLevel, formatter(state, exception), exception));
        }
    }
}

/// <summary>One captured log call, with its message rendered from the template.</summary>
public sealed record LogEntry(LogLevel Level, string Message, Exception? Exception);
