namespace AgentSight.Plugins.Redact.Scanning;

/// <summary>What a name says about its value.</summary>
internal enum NameVerdict
{
    /// <summary>Not a credential name.</summary>
    No,

    /// <summary>A credential whatever the value.</summary>
    Always,

    /// <summary>A credential when the value looks like one (<see cref="SecretNames.IsCredentialShaped"/>).</summary>
    IfCredentialShaped,
}
