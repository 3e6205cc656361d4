namespace AgentSight.Plugins.Http;

/// <summary>Receives decoded body bytes.</summary>
internal interface IBodyTarget
{
    void OnBody(ReadOnlySpan<byte> bytes);
}

/// <summary>How far a framing decoder got with its input.</summary>
internal enum FramingStatus
{
    /// <summary>All input consumed; the body goes on.</summary>
    NeedMore,

    /// <summary>The body ended; the bytes after it belong to the next message.</summary>
    Done,

    /// <summary>The framing is broken: the rest is not this body.</summary>
    Error,
}

/// <summary>
/// Decodes <c>Transfer-Encoding: chunked</c> (RFC 9112 §7.1) incrementally: any split of the input, even inside a
/// size line or between CR and LF, gives the same bytes. Extensions are ignored, trailers parsed and discarded.
/// </summary>
internal sealed class ChunkedDecoder
{
    /// <summary>A size line longer than this (extensions included) is not HTTP.</summary>
    private const int MaxSizeLine = 4096;

    /// <summary>Chunks larger than 1 TiB are not real.</summary>
    private const long MaxChunk = 1L << 40;

    private State _state = State.Size;
    private long _size;
    private int _digits;
    private int _lineLength;
    private int _trailerBytes;

    private enum State
    {
        Size,
        Extension,
        SizeLineFeed,
        Data,
        DataCarriageReturn,
        DataLineFeed,
        Trailer,
        TrailerLineFeed,
        Done,
    }

    /// <summary>Bytes the trailer section may take.</summary>
    public int MaxTrailerBytes { get; init; } = 64 * 1024;

    /// <summary>True while the decoder is inside chunk data (where lost bytes can be skipped).</summary>
    public long RemainingInChunk => _state == State.Data ? _size : 0;

    /// <summary>Decodes <paramref name="input"/>; <paramref name="consumed"/> says how much of it belonged to the body.</summary>
    public FramingStatus Feed(ReadOnlySpan<byte> input, IBodyTarget target, out int consumed)
    {
        var i = 0;
        while (i < input.Length)
        {
            switch (_state)
            {
                case State.Size:
                {
                    var c = input[i];
                    var digit = HexValue(c);
                    if (digit >= 0)
                    {
                        _size = (_size << 4) | (uint)digit;
                        if (++_digits > 11 || _size > MaxChunk)
                        {
                            consumed = i;
                            return FramingStatus.Error;
                        }
                        i++;
                        _lineLength++;
                        break;
                    }
                    if (_digits == 0)
                    {
                        consumed = i;
                        return FramingStatus.Error;
                    }
                    _state = State.Extension;
                    break;
                }
                case State.Extension:
                {
                    // After the size: optional whitespace and ";name=value" extensions, all ignored, up to the line end.
                    var end = input[i..].IndexOfAny((byte)'\r', (byte)'\n');
                    var take = end < 0 ? input.Length - i : end;
                    _lineLength += take;
                    if (_lineLength > MaxSizeLine)
                    {
                        consumed = i;
                        return FramingStatus.Error;
                    }
                    i += take;
                    if (end >= 0)
                    {
                        if (input[i] == (byte)'\r')
                        {
                            i++;
                            _state = State.SizeLineFeed;
                        }
                        else
                        {
                            i++;
                            EndSizeLine();
                        }
                    }
                    break;
                }
                case State.SizeLineFeed:
                    if (input[i] != (byte)'\n')
                    {
                        consumed = i;
                        return FramingStatus.Error;
                    }
                    i++;
                    EndSizeLine();
                    break;
                case State.Data:
                {
                    var take = (int)Math.Min(_size, input.Length - i);
                    target.OnBody(input.Slice(i, take));
                    i += take;
                    _size -= take;
                    if (_size == 0)
                    {
                        _state = State.DataCarriageReturn;
                    }
                    break;
                }
                case State.DataCarriageReturn:
                    if (input[i] == (byte)'\r')
                    {
                        i++;
                        _state = State.DataLineFeed;
                    }
                    else if (input[i] == (byte)'\n')
                    {
                        i++;
                        StartSizeLine();
                    }
                    else
                    {
                        consumed = i;
                        return FramingStatus.Error;
                    }
                    break;
                case State.DataLineFeed:
                    if (input[i] != (byte)'\n')
                    {
                        consumed = i;
                        return FramingStatus.Error;
                    }
                    i++;
                    StartSizeLine();
                    break;
                case State.Trailer:
                {
                    var end = input[i..].IndexOfAny((byte)'\r', (byte)'\n');
                    var take = end < 0 ? input.Length - i : end;
                    _lineLength += take;
                    _trailerBytes += take;
                    if (_trailerBytes > MaxTrailerBytes)
                    {
                        consumed = i;
                        return FramingStatus.Error;
                    }
                    i += take;
                    if (end >= 0)
                    {
                        if (input[i] == (byte)'\r')
                        {
                            i++;
                            _state = State.TrailerLineFeed;
                        }
                        else
                        {
                            i++;
                            if (EndTrailerLine())
                            {
                                consumed = i;
                                return FramingStatus.Done;
                            }
                        }
                    }
                    break;
                }
                case State.TrailerLineFeed:
                    if (input[i] != (byte)'\n')
                    {
                        consumed = i;
                        return FramingStatus.Error;
                    }
                    i++;
                    if (EndTrailerLine())
                    {
                        consumed = i;
                        return FramingStatus.Done;
                    }
                    _state = State.Trailer;
                    break;
                case State.Done:
                    consumed = i;
                    return FramingStatus.Done;
            }
        }
        consumed = i;
        return _state == State.Done ? FramingStatus.Done : FramingStatus.NeedMore;
    }

    /// <summary>Skips <paramref name="count"/> bytes the capture lost; false when they may hold framing (then the body is lost).</summary>
    public bool Skip(long count)
    {
        if (_state != State.Data || count > _size)
        {
            return false;
        }
        _size -= count;
        if (_size == 0)
        {
            _state = State.DataCarriageReturn;
        }
        return true;
    }

    private void EndSizeLine()
    {
        if (_size == 0)
        {
            _state = State.Trailer;
            _lineLength = 0;
            return;
        }
        _state = State.Data;
    }

    private void StartSizeLine()
    {
        _state = State.Size;
        _size = 0;
        _digits = 0;
        _lineLength = 0;
    }

    /// <summary>True when the line just ended was the empty line that ends the message.</summary>
    private bool EndTrailerLine()
    {
        if (_lineLength == 0)
        {
            _state = State.Done;
            return true;
        }
        _lineLength = 0;
        return false;
    }

    private static int HexValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };
}
