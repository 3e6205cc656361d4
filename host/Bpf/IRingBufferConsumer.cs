namespace AgentSight.Host.Bpf;

/// <summary>Receives the records of one BPF ring buffer, on the polling thread.</summary>
internal interface IRingBufferConsumer
{
    /// <summary>
    /// One record. <paramref name="record"/> points into the kernel's ring and is valid only during the call: copy what
    /// must outlive it. An exception ends the poll and is rethrown by <see cref="RingBufferPoller.Poll"/>.
    /// </summary>
    void OnRecord(ReadOnlySpan<byte> record);
}
