using System.Buffers;
using System.IO.Compression;

namespace AgentSight.Plugins.Http;

/// <summary>
/// Undoes a <c>Content-Encoding</c> incrementally: compressed bytes go in as the reads bring them, decoded bytes come
/// out as soon as the decompressor can produce them. <c>gzip</c> (also <c>x-gzip</c>), <c>deflate</c> (zlib-wrapped
/// or raw, told apart by its first two bytes) and <c>br</c>.
/// </summary>
internal abstract class ContentDecoder : IDisposable
{
    protected const int OutputChunk = 16 * 1024;

    /// <summary>True after the data turned out to be corrupt: nothing more comes out.</summary>
    public bool Failed { get; protected set; }

    /// <summary>A decoder for the encoding named in the header, or null when it is identity or not one we decode.</summary>
    public static ContentDecoder? For(string? contentEncoding, out bool supported)
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

    /// <inheritdoc />
    public abstract void Dispose();

    /// <summary>gzip and deflate: the framework's pull-based streams, fed through a stream that never blocks.</summary>
    private class StreamDecoder(Func<Stream, Stream> create) : ContentDecoder
    {
        private readonly FeedStream _feed = new();
        private Stream? _stream;

        public override void Decode(ReadOnlySpan<byte> input, IBodyTarget target)
        {
            if (Failed || input.IsEmpty)
            {
                return;
            }
            _feed.Add(input);
            _stream ??= create(_feed);
            var buffer = ArrayPool<byte>.Shared.Rent(OutputChunk);
            try
            {
                int read;
                while ((read = _stream.Read(buffer, 0, buffer.Length)) > 0)
                {
                    target.OnBody(buffer.AsSpan(0, read));
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
                _inner.Decode(_start, target);
            }
            _inner.Decode(input, target);
            Failed = _inner.Failed;
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
            if (Failed || _done)
            {
                return;
            }
            var buffer = ArrayPool<byte>.Shared.Rent(OutputChunk);
            try
            {
                while (true)
                {
                    var status = _decoder.Decompress(input, buffer, out var consumed, out var written);
                    input = input[consumed..];
                    if (written > 0)
                    {
                        target.OnBody(buffer.AsSpan(0, written));
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
