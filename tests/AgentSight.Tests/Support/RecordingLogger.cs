using Microsoft.Extensions.Logging;

namespace AgentSight.Tests.Support;

/// <summary>One log call: level, rendered message, exception, and the template's named values.</summary>
public sealed record LogEntry(LogLevel Level, string Message, Exception? Exception, IReadOnlyDictionary<string, object?> Values);

/// <summary>A logger that keeps what it is told, from any thread, to check what a user would read.</summary>
public class RecordingLogger : ILogger
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
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (state is IEnumerable<KeyValuePair<string, object?>> pairs)
        {
            foreach (var (key, value) in pairs)
            {
                values[key] = value;
            }
        }
        lock (_entries)
        {
            _entries.Add(new LogEntry(logLevel, formatter(state, exception), exception, values));
        }
    }
}

/// <summary>The same, typed for the class that asks for an <see cref="ILogger{T}"/>.</summary>
public sealed class RecordingLogger<T> : RecordingLogger, ILogger<T>;
