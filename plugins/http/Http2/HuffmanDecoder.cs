namespace AgentSight.Plugins.Http.Http2;

/// <summary>
/// Decodes HPACK's Huffman-coded strings (RFC 7541 §5.2) four bits at a time through a state machine built once from
/// <see cref="HuffmanCodes"/>: a state is a node of the code tree, and each nibble moves to another node, emitting at
/// most one byte (no code is shorter than five bits). A string must end on a symbol or in padding of at most seven
/// one bits (a prefix of EOS); EOS itself inside a string is an error.
/// </summary>
internal static class HuffmanDecoder
{
    private const int Emit = 1 << 16;
    private const int Fail = 1 << 17;

    /// <summary>For state × nibble: the next state (bits 0-7), the byte emitted (bits 8-15) and the flags.</summary>
    private static readonly int[] Transitions;

    /// <summary>States where the input may end: the root, or a run of one to seven one bits from it.</summary>
    private static readonly bool[] Accepting;

    static HuffmanDecoder()
    {
        // The code tree: node 0 is the root; children[node * 2 + bit] is a node (> 0) or a leaf (-(symbol + 1)).
        var children = new List<int> { 0, 0 };
        var depth = new List<int> { 0 };
        var ones = new List<bool> { true };
        var codes = HuffmanCodes.Codes;
        var lengths = HuffmanCodes.Lengths;
        for (var symbol = 0; symbol <= 256; symbol++)
        {
            var code = symbol == 256 ? HuffmanCodes.EosCode : codes[symbol];
            var length = symbol == 256 ? HuffmanCodes.EosLength : lengths[symbol];
            var node = 0;
            for (var bit = length - 1; bit >= 0; bit--)
            {
                var b = (int)((code >> bit) & 1);
                var slot = (node * 2) + b;
                if (bit == 0)
                {
                    children[slot] = -(symbol + 1);
                    break;
                }
                if (children[slot] <= 0)
                {
                    children[slot] = depth.Count;
                    children.Add(0);
                    children.Add(0);
                    depth.Add(depth[node] + 1);
                    ones.Add(ones[node] && b == 1);
                }
                node = children[slot];
            }
        }
        var states = depth.Count;
        Transitions = new int[states * 16];
        Accepting = new bool[states];
        for (var state = 0; state < states; state++)
        {
            Accepting[state] = state == 0 || (ones[state] && depth[state] <= 7);
            for (var nibble = 0; nibble < 16; nibble++)
            {
                var node = state;
                var entry = 0;
                for (var bit = 3; bit >= 0; bit--)
                {
                    var next = children[(node * 2) + ((nibble >> bit) & 1)];
                    if (next < 0)
                    {
                        var symbol = -next - 1;
                        if (symbol == 256)
                        {
                            entry = Fail;
                            break;
                        }
                        entry |= Emit | (symbol << 8);
                        node = 0;
                    }
                    else
                    {
                        node = next;
                    }
                }
                Transitions[(state * 16) + nibble] = (entry & Fail) != 0 ? Fail : entry | node;
            }
        }
    }

    /// <summary>The most bytes <paramref name="encodedLength"/> Huffman-coded bytes can decode to (codes are at least 5 bits).</summary>
    public static int MaxDecodedLength(int encodedLength) => (int)(((long)encodedLength * 8) / 5);

    /// <summary>
    /// Decodes <paramref name="source"/> into <paramref name="destination"/> (at least <see cref="MaxDecodedLength"/>
    /// long); returns the number of bytes written, or -1 when the input is not a valid Huffman-coded string.
    /// </summary>
    public static int Decode(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var transitions = Transitions;
        var state = 0;
        var written = 0;
        foreach (var b in source)
        {
            var entry = transitions[(state * 16) + (b >> 4)];
            if ((entry & Fail) != 0)
            {
                return -1;
            }
            if ((entry & Emit) != 0)
            {
                destination[written++] = (byte)(entry >> 8);
            }
            state = entry & 0xFF;
            entry = transitions[(state * 16) + (b & 0xF)];
            if ((entry & Fail) != 0)
            {
                return -1;
            }
            if ((entry & Emit) != 0)
            {
                destination[written++] = (byte)(entry >> 8);
            }
            state = entry & 0xFF;
        }
        return Accepting[state] ? written : -1;
    }
}
