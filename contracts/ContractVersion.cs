namespace AgentSight.Contracts;

/// <summary>The version of this contracts assembly, which the host compares with each plugin's.</summary>
/// <remarks>
/// A plugin is compatible when it was built against the same major version and a minor version no newer than
/// the host's. The value comes from the assembly version, so there is one place to change it.
/// </remarks>
public static class ContractVersion
{
    /// <summary>The contract version this assembly provides (major.minor).</summary>
    public static Version Current { get; } = ReadCurrent();

    /// <summary>True when a plugin built against <paramref name="pluginBuiltAgainst"/> can run on this contract.</summary>
    public static bool IsCompatible(Version pluginBuiltAgainst) =>
        pluginBuiltAgainst.Major == Current.Major && pluginBuiltAgainst.Minor <= Current.Minor;

    private static Version ReadCurrent()
    {
        var version = typeof(ContractVersion).Assembly.GetName().Version ?? new Version(0, 0);
        return new Version(version.Major, version.Minor);
    }
}
