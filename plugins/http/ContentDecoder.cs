using System.Buffers;
using System.IO.Compression;

namespace AgentSight.Plugins.Http;

/// <summary>
/// Undoes a <c>Content-Encoding</c> incrementally: compressed bytes go in as the reads bring them, decoded bytes come
/// out as soon as the decompressor can produce them. <c>gzip</c> (also <c>x-gzip</c>), <c>deflate</c> (zlib-wrapped
/// or raw, told apart by its first two bytes) and <c>br</c>. (<c>zstd</c> has no decoder in .NET 10: its bodies are
/// kept as sent.)
/// </summary>
/// <remarks>
/// Every decoder inflates within its <see cref="DecodeLimits"/>: output goes out in chunks of at most 16 KiB, each
/// checked against the size cap and the ratio guard, so even one read of a bomb never inflates past them. A body
/// that reaches them is <see cref="Capped"/>: the caller marks it cut and counts it.
/// </remarks>
internal abstract class ContentDecoder : IDisposable
{
    protected const int OutputChunk = 16 * 1024;

    /// <summary>True after the data turned out to be corrupt: nothing more comes out.</summary>
    public bool Failed { get; protected set; }

    /// <summary>True once the body reached its <see cref="DecodeLimits"/>: nothing more comes out, nothing more is inflated.</summary>
    public bool Capped { get; protected set; }

    /// <summary>Decoded bytes handed on so far.</summary>
    public long DecodedBytes { get; private set; }

    /// <summary>The bounds on this body's inflation.</summary>
    protected DecodeLimits Limits { get; private set; } = DecodeLimits.Default;

    /// <summary>A decoder for the encoding named in the header (within the default limits), or null when it is identity or not one we decode.</summary>
    public static ContentDecoder? For(string? contentEncoding, out bool supported) => For(contentEncoding, DecodeLimits.Default, out supported);

    /// <summary>A decoder for the encoding named in the header, inflating within <paramref name="limits"/>; null when it is identity or not one we decode.</summary>
    public static ContentDecoder? For(string? contentEncoding, DecodeLimits limits, out bool supported)
    {
        var decoder = Create(contentEncoding, out supported);
        if (decoder is not null)
        {
            decoder.Limits = limits;
        }
        return decoder;
    }

    private static ContentDecoder? Create(string? contentEncoding, out bool supported)
    {
        supported = true;
        if (string.IsNullOrEmpty(contentEncoding))
        {
            return null;
        }
        var encoding = contentEncoding.Trim();
        if (encoding.Contains(',', StringComparison.Ordinal))
        {
            // Stacked codings (rare): decode only when all but one are identity.
            var parts = encoding.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Where(p => !p.Equals("identity", StringComparison.OrdinalIgnoreCase)).ToArray();
            if (parts.Length > 1)
            {
                supported = false;
                return null;
            }
            encoding = parts.Length == 0 ? "identity" : parts[0];
        }
        switch (encoding.ToLowerInvariant())
        {
            case "identity":
                return null;
            case "gzip" or "x-gzip":
                return new StreamDecoder(feed => new GZipStream(feed, CompressionMode.Decompress, leaveOpen: true));
            case "deflate":
                return new DeflateDecoder();
            case "br":
                return new BrotliContentDecoder();
            default:
                supported = false;
                return null;
        }
    }

    /// <summary>Decodes <paramref name="input"/>, writing what comes out to <paramref name="target"/>.</summary>
    public abstract void Decode(ReadOnlySpan<byte> input, IBodyTarget target);

    /// <summary>Sets the limits of a decoder made inside another (the <c>deflate</c> wrapper's).</summary>
    protected void SetLimits(DecodeLimits limits) => Limits = limits;

    /// <summary>Compressed bytes the decompressor took so far, for the ratio guard.</summary>
    protected long CompressedIn { get; set; }

    /// <summary>
    /// Hands a decoded chunk on within the limits: what fits under the size cap goes, and false (with
    /// <see cref="Capped"/> set) says the body reached a limit and decoding stops.
    /// </summary>
    protected bool Emit(ReadOnlySpan<byte> chunk, IBodyTarget target)
    {
        var room = Limits.MaxOutput - DecodedBytes;
        if (chunk.Length > room)
        {
            if (room > 0)
            {
                target.OnBody(chunk[..(int)room]);
                DecodedBytes += room;
            }
            Capped = true;
            return false;
        }
        target.OnBody(chunk);
        DecodedBytes += chunk.Length;
        if (Limits.RatioExceeded(DecodedBytes, CompressedIn))
        {
            Capped = true;
            return false;
        }
        return true;
    }

    /// <inheritdoc />
    public abstract void Dispose();

    /// <summary>gzip and deflate: the framework's pull-based streams, fed through a stream that never blocks.</summary>
    private class StreamDecoder(Func<Stream, Stream> create) : ContentDecoder
    {
        private readonly FeedStream _feed = new();
        private Stream? _stream;

        /// <summary>Set by the <c>deflate</c> wrapper, which picks this decoder after the first bytes.</summary>
        public void Limit(DecodeLimits limits) => SetLimits(limits);

        public override void Decode(ReadOnlySpan<byte> input, IBodyTarget target)
        {
            if (Failed || Capped || input.IsEmpty)
            {
                return;
            }
            _feed.Add(input);
            _stream ??= create(_feed);
            var buffer = ArrayPool<byte>.Shared.Rent(OutputChunk);
            try
            {
                int read;
                while ((read = _stream.Read(buffer, 0, OutputChunk)) > 0)
                {
                    CompressedIn = _feed.Handed;
                    if (!Emit(buffer.AsSpan(0, read), target))
                    {
                        break;
                    }
                }
            }
            catch (InvalidDataException)
            {
                Failed = true;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
                _feed.Compact();
            }
            if (Capped)
            {
                // Nothing more will be inflated: the decompressor's state and the bytes waiting can go.
                Dispose();
            }
        }

        public override void Dispose()
        {
            _stream?.Dispose();
            _feed.Dispose();
        }
    }

    /// <summary><c>deflate</c> is meant to be zlib (RFC 1950) but some servers send raw deflate: the header tells.</summary>
    private sealed class DeflateDecoder : ContentDecoder
    {
        private readonly byte[] _start = new byte[2];
        private int _startLength;
        private StreamDecoder? _inner;

        public override void Decode(ReadOnlySpan<byte> input, IBodyTarget target)
        {
            if (_inner is null)
            {
                var take = Math.Min(2 - _startLength, input.Length);
                input[..take].CopyTo(_start.AsSpan(_startLength));
                _startLength += take;
                input = input[take..];
                if (_startLength < 2)
                {
                    return;
                }
                var zlib = (_start[0] & 0x0F) == 8 && ((_start[0] << 8) | _start[1]) % 31 == 0;
                _inner = zlib
                    ? new StreamDecoder(feed => new ZLibStream(feed, CompressionMode.Decompress, leaveOpen: true))
                    : new StreamDecoder(feed => new DeflateStream(feed, CompressionMode.Decompress, leaveOpen: true));
                _inner.Limit(Limits);
                _inner.Decode(_start, target);
            }
            _inner.Decode(input, target);
            Failed = _inner.Failed;
            Capped = _inner.Capped;
        }

        public override void Dispose() => _inner?.Dispose();
    }

    /// <summary>Brotli has a push decoder in the framework.</summary>
    private sealed class BrotliContentDecoder : ContentDecoder
    {
        private BrotliDecoder _decoder;
        private bool _done;

        public override void Decode(ReadOnlySpan<byte> input, IBodyTarget target)
        {
            if (Failed || Capped || _done)
            {
                return;
            }
            var buffer = ArrayPool<byte>.Shared.Rent(OutputChunk);
            try
            {
                while (true)
                {
                    var status = _decoder.Decompress(input, buffer.AsSpan(0, OutputChunk), out var consumed, out var written);
                    input = input[consumed..];
                    CompressedIn += consumed;
                    if (written > 0 && !Emit(buffer.AsSpan(0, written), target))
                    {
                        _decoder.Dispose();
                        return;
                    }
                    switch (status)
                    {
                        case OperationStatus.Done:
                            _done = true;
                            return;
                        case OperationStatus.DestinationTooSmall:
                            continue;
                        case OperationStatus.NeedMoreData:
                            if (input.IsEmpty)
                            {
                                return;
                            }
                            continue;
                        default:
                            Failed = true;
                            return;
                    }
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        public override void Dispose() => _decoder.Dispose();
    }
}
