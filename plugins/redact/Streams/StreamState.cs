using AgentSight.Contracts;
using AgentSight.Plugins.Redact.Scanning;

namespace AgentSight.Plugins.Redact.Streams;

/// <summary>What is known about one stream between two reads.</summary>
internal sealed class StreamState
{
    /// <summary>Bytes of already emitted data kept as context for the next scan: enough for any trigger and name.</summary>
    public const int LeftCapacity = 256;

    /// <summary>This stream's place in the recency list (for eviction).</summary>
    public LinkedListNode<StreamKey>? Recency { get; set; }

    /// <summary>The read waiting for the next one, or null.</summary>
    public AgentEvent? Held { get; set; }

    /// <summary>The held read's bytes (for a streamed body, decoded from its text).</summary>
    public ReadOnlyMemory<byte> HeldBytes { get; set; }

    /// <summary>Pipeline time the read was held at.</summary>
    public long HeldSince { get; set; }

    /// <summary>Pipeline time of the stream's last read.</summary>
    public long LastSeen { get; set; }

    /// <summary>The end of the emitted data (original bytes).</summary>
    public byte[] Left { get; } = new byte[LeftCapacity];

    public int LeftLength { get; set; }

    /// <summary>A secret that runs from the emitted data into the held read: how it goes on, and its rule.</summary>
    public Continuation? Open { get; set; }

    public int OpenRule { get; set; }

    /// <summary>A secret whose end is known and lies that many bytes into the held read.</summary>
    public int FixedRemaining { get; set; }

    public int FixedRule { get; set; }

    /// <summary>How far before the held piece the last trigger was found, when close enough to search it again; else 0.</summary>
    public int ResumeBack { get; set; }

    /// <summary>Remembers the end of the data just emitted as context for the next scan.</summary>
    public void AppendLeft(ReadOnlySpan<byte> emitted)
    {
        if (emitted.Length >= LeftCapacity)
        {
            emitted[^LeftCapacity..].CopyTo(Left);
            LeftLength = LeftCapacity;
            return;
        }
        var keep = Math.Min(LeftLength, LeftCapacity - emitted.Length);
        Left.AsSpan(LeftLength - keep, keep).CopyTo(Left);
        emitted.CopyTo(Left.AsSpan(keep));
        LeftLength = keep + emitted.Length;
    }
}
