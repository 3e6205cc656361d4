namespace AgentSight.Host.Bpf;

/// <summary>An attached program (a probe on a function, a tracepoint); disposing it detaches the program.</summary>
internal sealed class BpfLink : IDisposable
{
    private readonly BpfLinkHandle _handle;

    public BpfLink(BpfLinkHandle handle, string description)
    {
        _handle = handle;
        Description = description;
    }

    /// <summary>What is attached where, for logs.</summary>
    public string Description { get; }

    public void Dispose() => _handle.Dispose();

    public override string ToString() => Description;
}
