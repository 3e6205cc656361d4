using System.Text.Json.Serialization;

namespace AgentSight.Host.Capture.Discovery;

/// <summary>
/// The discovery cache's JSON and the list of recently probed files (<see cref="RecentTlsFiles"/>), generated at build time: read by
/// reflection, the first entry of a run cost about 20 ms of every recording's start (the serializer's metadata for these
/// records built at run time); the format is the same.
/// </summary>
[JsonSerializable(typeof(FileDiscovery))]
[JsonSerializable(typeof(List<RecentTlsFile>))]
internal sealed partial class DiscoveryJson : JsonSerializerContext;
