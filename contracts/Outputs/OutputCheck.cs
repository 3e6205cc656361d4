namespace AgentSight.Contracts;

/// <summary>A sink's answer to <see cref="IOutputPreflight.CheckOutput"/> (contracts 1.4).</summary>
/// <param name="Path">The output file, full path.</param>
/// <param name="Exists">True when the file is there and holds something (an empty file counts as not there).</param>
/// <param name="WhenExisting">What the sink does with an existing file, as configured.</param>
/// <param name="Switch">
/// The configuration change that makes it replace an existing file instead, <c>KEY=VALUE</c> (e.g. <c>append=false</c>);
/// the host offers it as <c>--set STAGE.KEY=VALUE</c>. Null when it replaces already, or cannot.
/// </param>
public sealed record OutputCheck(string Path, bool Exists, ExistingOutput WhenExisting, string? Switch = null);
