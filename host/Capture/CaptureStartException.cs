namespace AgentSight.Host.Capture;

/// <summary>Capture could not start for a reason the user can act on; the message says what and how.</summary>
internal sealed class CaptureStartException : Exception
{
    public CaptureStartException()
    {
    }

    public CaptureStartException(string message)
        : base(message)
    {
    }

    public CaptureStartException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
