using System.Buffers;
using System.IO.Compression;

namespace AgentSight.Plugins.Http.WebSocket;

/// <summary>
/// permessage-deflate's decompressor for one direction (RFC 7692 §7.2.2): raw deflate, each message ended by the
/// <c>00 00 ff ff</c> its sender removed. With context takeover the same inflater (and so its 32 KiB window) reads
/// every message of the direction; without it, a fresh one reads each message.
/// </summary>
internal sealed class WebSocketInflater : IDisposable
{
    private const int OutputChunk = 16 * 1024;

    /// <summary>The tail the sender strips from every compressed message.</summary>
    public static ReadOnlySpan<byte> Tail => [0x00, 0x00, 0xFF, 0xFF];

    private readonly FeedStream _feed = new();
    private readonly DeflateStream _inflate;

    public WebSocketInflater() => _inflate = new DeflateStream(_feed, CompressionMode.Decompress, leaveOpen: true);

    /// <summary>Bytes inflated from the message in progress.</summary>
    public long MessageOutput { get; private set; }

    /// <summary>Compressed bytes of the message in progress fed in.</summary>
    public long MessageInput { get; private set; }

    /// <summary>True after corrupt data or a cap: this inflater's window is no longer known.</summary>
    public bool Broken { get; private set; }

    public void BeginMessage()
    {
        MessageOutput = 0;
        MessageInput = 0;
    }

    /// <summary>
    /// Inflates <paramref name="input"/>, handing each chunk to <paramref name="output"/>. Stops for good (and
    /// <see cref="Broken"/>) when the message's output passes <paramref name="limits"/>: a bomb costs at most that.
    /// </summary>
    public void Inflate(ReadOnlySpan<byte> input, DecodeLimits limits, ByteSink output)
    {
        if (Broken || input.IsEmpty)
        {
            return;
        }
        _feed.Add(input);
        MessageInput += input.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(OutputChunk);
        try
        {
            int read;
            while ((read = _inflate.Read(buffer, 0, OutputChunk)) > 0)
            {
                MessageOutput += read;
                if (MessageOutput > limits.MaxOutput || limits.RatioExceeded(MessageOutput, MessageInput))
                {
                    Broken = true;
                    break;
                }
                output(buffer.AsSpan(0, read));
            }
        }
        catch (InvalidDataException)
        {
            Broken = true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            _feed.Compact();
        }
    }

    /// <summary>The message in progress lost bytes: this window is no longer known, and its memory can go.</summary>
    public void Break()
    {
        Broken = true;
        Dispose();
    }

    public void Dispose()
    {
        _inflate.Dispose();
        _feed.Dispose();
    }
}

/// <summary>Where inflated bytes go.</summary>
internal delegate void ByteSink(ReadOnlySpan<byte> bytes);
