using System.Buffers.Binary;
using AgentSight.Plugins.Common.Buffers;

namespace AgentSight.Plugins.Http.Http2;

/// <summary>
/// One direction of an HTTP/2 connection: finds the frames in its bytes, whatever the reads and writes that carried
/// them (a frame header, a padding length or a header block fragment may be cut anywhere), and hands each frame's
/// parts to the connection as they come. Header block fragments are gathered here; DATA is passed on unbuffered.
/// </summary>
internal sealed class Http2FrameReader
{
    private readonly Http2Connection _connection;
    private readonly byte[] _header = new byte[FrameHeader.Size];
    private readonly byte[] _prefix = new byte[8];
    private Phase _phase;
    private int _headerLength;
    private int _prefixNeeded;
    private int _prefixLength;
    private int _contentLeft;
    private int _paddingLeft;
    private int _prefaceMatched;

    public Http2FrameReader(Http2Connection connection, bool isWrite, HpackDynamicTable table)
    {
        _connection = connection;
        IsWrite = isWrite;
        Hpack = new HpackDecoder(table);
    }

    private enum Phase
    {
        /// <summary>The client's connection preface.</summary>
        Preface,

        /// <summary>A frame header (9 bytes).</summary>
        Header,

        /// <summary>The fixed fields that open a payload: pad length, priority, promised stream, error codes.</summary>
        Prefix,

        /// <summary>The payload proper.</summary>
        Content,

        /// <summary>Padding after the content.</summary>
        Padding,
    }

    public bool IsWrite { get; }

    /// <summary>True when the sender of these bytes is the client.</summary>
    public bool FromClient { get; set; }

    /// <summary>The decoder of what this direction's sender encoded.</summary>
    public HpackDecoder Hpack { get; }

    /// <summary>True when the position of frame boundaries is known.</summary>
    public bool Synced { get; private set; }

    /// <summary>The frame being read.</summary>
    public FrameHeader Frame { get; private set; }

    /// <summary>The fixed fields read before the frame's content (see <see cref="Phase.Prefix"/>).</summary>
    public ReadOnlySpan<byte> Prefix => _prefix.AsSpan(0, _prefixLength);

    /// <summary>Epoch ns of the event that carried the first byte of the frame being read.</summary>
    public long FrameStartNs { get; private set; }

    /// <summary>The header block being gathered (HEADERS or PUSH_PROMISE, then CONTINUATION frames).</summary>
    public ByteBuffer Block { get; } = new();

    /// <summary>True between a HEADERS or PUSH_PROMISE without END_HEADERS and the CONTINUATION that ends its block.</summary>
    public bool InBlock { get; set; }

    /// <summary>The block's frame type (HEADERS or PUSH_PROMISE).</summary>
    public byte BlockType { get; set; }

    public int BlockStream { get; set; }

    public bool BlockEndStream { get; set; }

    public int BlockPromised { get; set; }

    public long BlockStartNs { get; set; }

    /// <summary>The block cannot be decoded: it outgrew the cap, or bytes of it were lost.</summary>
    public bool BlockBroken { get; set; }

    public bool BlockTooLarge { get; set; }

    /// <summary>The body DATA frames of the current frame go to (null: a stream not tracked).</summary>
    public Http2Body? DataTarget { get; set; }

    /// <summary>
    /// True while the frame boundaries this direction started on are a guess (a read found to look like frames): the
    /// frames read so far may be bytes in the middle of a frame that happened to look like one. Two whole frames in a
    /// row, or a header block that decodes, confirm them.
    /// </summary>
    public bool Unconfirmed { get; private set; }

    /// <summary>Which finding of the boundaries this is (each <see cref="Start"/> makes a new one).</summary>
    public int Sync { get; private set; }

    private int _framesSinceSync;

    /// <summary>The boundaries are confirmed: the frames read are frames.</summary>
    public void Confirm() => Unconfirmed = false;

    /// <summary>A whole frame was read: the second one after a guessed boundary confirms it.</summary>
    public void FrameEnded()
    {
        if (Unconfirmed && ++_framesSinceSync >= 2)
        {
            Unconfirmed = false;
        }
    }

    /// <summary>Starts in step with the frames: at the connection's start, after the preface when <paramref name="preface"/>.</summary>
    /// <param name="preface">The preface comes first.</param>
    /// <param name="guessed">The boundary was found by the look of the bytes, not known from the connection's start.</param>
    public void Start(bool preface, bool guessed = false)
    {
        Unconfirmed = guessed;
        _framesSinceSync = 0;
        Sync++;
        Synced = true;
        _phase = preface ? Phase.Preface : Phase.Header;
        _prefaceMatched = 0;
        _headerLength = 0;
    }

    /// <summary>
    /// Parses the bytes of one read or write; returns how many were frames. Fewer than all means the bytes stopped
    /// being HTTP/2 (a frame no sender writes): the direction then waits for a read that starts on a frame again.
    /// </summary>
    public int Parse(ReadOnlySpan<byte> data, long time)
    {
        var pos = 0;
        while (true)
        {
            switch (_phase)
            {
                case Phase.Preface:
                {
                    if (pos == data.Length)
                    {
                        return pos;
                    }
                    var preface = Http2Detector.Preface;
                    var n = Math.Min(preface.Length - _prefaceMatched, data.Length - pos);
                    if (!data.Slice(pos, n).SequenceEqual(preface.Slice(_prefaceMatched, n)))
                    {
                        LoseSync(protocolError: true);
                        return pos;
                    }
                    _prefaceMatched += n;
                    pos += n;
                    if (_prefaceMatched == preface.Length)
                    {
                        _phase = Phase.Header;
                    }
                    break;
                }
                case Phase.Header:
                {
                    if (pos == data.Length)
                    {
                        return pos;
                    }
                    if (_headerLength == 0)
                    {
                        FrameStartNs = time;
                    }
                    var n = Math.Min(FrameHeader.Size - _headerLength, data.Length - pos);
                    data.Slice(pos, n).CopyTo(_header.AsSpan(_headerLength));
                    _headerLength += n;
                    pos += n;
                    if (_headerLength < FrameHeader.Size)
                    {
                        return pos;
                    }
                    _headerLength = 0;
                    Frame = FrameHeader.Read(_header);
                    if (!StartFrame())
                    {
                        LoseSync(protocolError: true);
                        return pos - FrameHeader.Size < 0 ? 0 : pos - FrameHeader.Size;
                    }
                    break;
                }
                case Phase.Prefix:
                {
                    if (_prefixLength < _prefixNeeded)
                    {
                        if (pos == data.Length)
                        {
                            return pos;
                        }
                        var n = Math.Min(_prefixNeeded - _prefixLength, data.Length - pos);
                        data.Slice(pos, n).CopyTo(_prefix.AsSpan(_prefixLength));
                        _prefixLength += n;
                        pos += n;
                        break;
                    }
                    var padding = Frame.Has(FrameFlags.Padded) && Frame.Type is FrameType.Data or FrameType.Headers or FrameType.PushPromise
                        ? _prefix[0]
                        : 0;
                    var content = Frame.Length - _prefixNeeded - padding;
                    if (content < 0)
                    {
                        // More padding than payload: a sender error, or these are not the frames we think.
                        LoseSync(protocolError: true);
                        return pos;
                    }
                    _contentLeft = content;
                    _paddingLeft = padding;
                    _phase = Phase.Content;
                    _connection.BeginFrame(this);
                    break;
                }
                case Phase.Content:
                {
                    if (_contentLeft == 0)
                    {
                        _phase = Phase.Padding;
                        break;
                    }
                    if (pos == data.Length)
                    {
                        return pos;
                    }
                    var n = Math.Min(_contentLeft, data.Length - pos);
                    _connection.FrameContent(this, data.Slice(pos, n));
                    _contentLeft -= n;
                    pos += n;
                    break;
                }
                case Phase.Padding:
                {
                    if (_paddingLeft == 0)
                    {
                        _phase = Phase.Header;
                        _connection.EndFrame(this);
                        break;
                    }
                    if (pos == data.Length)
                    {
                        return pos;
                    }
                    var n = Math.Min(_paddingLeft, data.Length - pos);
                    _paddingLeft -= n;
                    pos += n;
                    break;
                }
            }
        }
    }

    /// <summary>
    /// The capture lost <paramref name="lost"/> bytes right after the ones parsed. Inside a frame's payload they are
    /// skipped (a body is cut, a header block cannot be decoded); anywhere else the frame boundaries are lost.
    /// </summary>
    public void Gap(long lost)
    {
        if (!Synced)
        {
            return;
        }
        if (_phase == Phase.Preface && lost <= Http2Detector.PrefaceLength - _prefaceMatched)
        {
            // The preface is fixed text: its lost bytes are known, and the frames after it are still in step.
            _prefaceMatched += (int)lost;
            if (_prefaceMatched == Http2Detector.PrefaceLength)
            {
                _phase = Phase.Header;
            }
            return;
        }
        if (_phase == Phase.Content && lost <= (long)_contentLeft + _paddingLeft)
        {
            var fromContent = (int)Math.Min(lost, _contentLeft);
            _connection.ContentLost(this, fromContent);
            _contentLeft -= fromContent;
            _paddingLeft -= (int)(lost - fromContent);
            Parse(default, FrameStartNs);
            return;
        }
        if (_phase == Phase.Padding && lost <= _paddingLeft)
        {
            _paddingLeft -= (int)lost;
            Parse(default, FrameStartNs);
            return;
        }
        LoseSync(protocolError: false);
    }

    /// <summary>Frame boundaries are lost: whatever was in progress is cut, and the sender's HPACK state becomes unknown.</summary>
    public void LoseSync(bool protocolError)
    {
        Synced = false;
        _phase = Phase.Header;
        _headerLength = 0;
        _connection.LostSync(this, protocolError);
    }

    /// <summary>Checks a frame header and sets up the reading of its payload; false when no sender writes such a frame.</summary>
    private bool StartFrame()
    {
        var frame = Frame;
        if (!frame.IsValid() || (_connection.RoleKnown && !frame.IsPossibleFrom(FromClient)))
        {
            return false;
        }
        if (Unconfirmed && !Http2Detector.IsPlausible(frame, FromClient))
        {
            // Past a guessed boundary, only what a sender of this side would write keeps the guess.
            return false;
        }
        if (InBlock != (frame.Type == FrameType.Continuation) || (InBlock && frame.StreamId != BlockStream))
        {
            // A header block must be followed by its CONTINUATION frames and nothing else (RFC 9113 §6.10).
            return false;
        }
        var padded = frame.Has(FrameFlags.Padded) ? 1 : 0;
        _prefixNeeded = frame.Type switch
        {
            FrameType.Data => padded,
            FrameType.Headers => padded + (frame.Has(FrameFlags.Priority) ? 5 : 0),
            FrameType.PushPromise => padded + 4,
            FrameType.RstStream => 4,
            FrameType.GoAway => 8,
            _ => 0,
        };
        if (frame.Length < _prefixNeeded)
        {
            return false;
        }
        _prefixLength = 0;
        _phase = Phase.Prefix;
        return true;
    }

    /// <summary>A 31-bit stream id in the prefix at <paramref name="offset"/>.</summary>
    public int PrefixStreamId(int offset) => (int)(BinaryPrimitives.ReadUInt32BigEndian(_prefix.AsSpan(offset)) & 0x7FFF_FFFF);

    /// <summary>A 32-bit error code in the prefix at <paramref name="offset"/>.</summary>
    public uint PrefixCode(int offset) => BinaryPrimitives.ReadUInt32BigEndian(_prefix.AsSpan(offset));
}
