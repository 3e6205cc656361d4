namespace AgentSight.Host.Bpf;

/// <summary>A libbpf call failed: which function, the errno, and what it means.</summary>
internal sealed class BpfException : Exception
{
    public BpfException(string function, int errno, string? detail = null)
        : base(Describe(function, errno, detail))
    {
        Function = function;
        Errno = errno;
        Detail = detail;
    }

    public BpfException()
        : this("libbpf", 0)
    {
    }

    public BpfException(string message)
        : base(message)
    {
        Function = "libbpf";
    }

    public BpfException(string message, Exception innerException)
        : base(message, innerException)
    {
        Function = "libbpf";
    }

    /// <summary>The libbpf function, e.g. <c>bpf_object__load</c>.</summary>
    public string Function { get; }

    /// <summary>The positive errno value (0 when unknown).</summary>
    public int Errno { get; }

    /// <summary>What the call was about (a program, a map, a file), when known.</summary>
    public string? Detail { get; }

    /// <summary>libbpf's log around the failure (the verifier's log for a program that did not load).</summary>
    public string? Log { get; init; }

    private static string Describe(string function, int errno, string? detail)
    {
        var what = detail is null ? function : $"{function} ({detail})";
        return errno == 0 ? $"{what} failed" : $"{what} failed: {Bpf.Errno.Name(errno)} ({Bpf.Errno.Message(errno)})";
    }
}
