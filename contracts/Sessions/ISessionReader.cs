namespace AgentSight.Contracts;

/// <summary>
/// A plugin that reads back the sessions it stored (contracts 1.4): implemented by its factory, found by type test.
/// <c>serve</c> and <c>report</c> ask every installed plugin that implements it whether it recognizes the file they
/// were given, so the host never knows a plugin's file format.
/// </summary>
/// <remarks>
/// The reader runs in the plugin's load context, with the plugin's own dependencies (a database library, say). Its
/// events go on the bus like a runner's, then through the manifest's sinks.
/// </remarks>
public interface ISessionReader
{
    /// <summary>
    /// True when <paramref name="header"/> (up to the first 512 bytes of the file) marks a file of this plugin's
    /// format. Judge the content, never the name; return quickly and do not open the file.
    /// </summary>
    bool Recognizes(ReadOnlySpan<byte> header);

    /// <summary>
    /// Why <paramref name="path"/> cannot be read as a stored session, or null when it can. Called before anything
    /// starts, so that an unreadable file is one line for the user and never an empty session.
    /// </summary>
    SessionProblem? Check(string path);

    /// <summary>
    /// The stored events in order, then whatever record of the session the plugin keeps (as events). A row that
    /// cannot be read is skipped and counted; damage found on the way is an <see cref="InvalidDataException"/> with a
    /// message for the user.
    /// </summary>
    IAsyncEnumerable<AgentEvent> ReadAsync(string path, ISessionReadContext context, CancellationToken cancellationToken);
}
