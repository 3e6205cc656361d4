using System.Text;

namespace AgentSight.Plugins.Sse.Accumulators;

/// <summary>
/// A fixed set of strings with their UTF-8 bytes, so a JSON value can be compared with each without transcoding the
/// candidate on every comparison (this runs for every event of every stream).
/// </summary>
internal sealed class KnownStrings(string[] values)
{
    public string[] Values { get; } = values;

    public byte[][] Utf8 { get; } = [.. values.Select(Encoding.UTF8.GetBytes)];
}
