using AgentSight.Contracts;
using AgentSight.Plugins.Redact.Scanning;

namespace AgentSight.Plugins.Redact.Streams;

/// <summary>What is known about one stream between two reads.</summary>
internal sealed class StreamState
{
    /// <summary>Bytes of already emitted data kept as context for the next scan: enough for any trigger and name.</summary>
    public const int LeftCapacity = 256;

    /// <summary>Most keys whose joined values (<see cref="Tails"/>) a stream remembers.</summary>
    public const int MaxTails = 64;

    /// <summary>This stream's place in the recency list (for eviction), or in the list of released streams.</summary>
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

    /// <summary>Ranges of the held read already known to be secret (found when it was the next read), relative to its start.</summary>
    public List<(int Start, int End, int Rule)>? Pending { get; set; }

    /// <summary>How far before the held piece the last trigger was found, when close enough to search it again; else 0.</summary>
    public int ResumeBack { get; set; }

    /// <summary>The stream carries JSON events (SSE, NDJSON): the string values of each key are also read joined.</summary>
    public bool Content { get; set; }

    /// <summary>Where the reading of the stream's JSON values stands after the emitted data.</summary>
    public JsonValueReader? Reader { get; set; }

    /// <summary>The end of each key's joined values in the emitted data: context for the next scan.</summary>
    public Dictionary<string, Tail>? Tails { get; set; }

    /// <summary>A secret in a key's joined values that runs on into the key's next values: how it goes on, and its rule.</summary>
    public Dictionary<string, (Continuation Continue, int Rule)>? ContentOpen { get; set; }

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

    /// <summary>True when the next read may start inside a secret seen before.</summary>
    public bool HasOpenSecret => Open is not null || FixedRemaining > 0 || Pending is { Count: > 0 } || ContentOpen is { Count: > 0 };

    /// <summary>The last characters of one key's joined values.</summary>
    internal sealed class Tail
    {
        public const int Capacity = 128;

        private readonly char[] _chars = new char[Capacity];

        public int Length { get; private set; }

        public ReadOnlySpan<char> Text => _chars.AsSpan(0, Length);

        public void Set(ReadOnlySpan<char> text)
        {
            var keep = text[Math.Max(0, text.Length - Capacity)..];
            keep.CopyTo(_chars);
            Length = keep.Length;
        }
    }
}
