using System.IO.Compression;
using System.Text;
using AgentSight.Contracts;
using AgentSight.Plugins.Http;
using AgentSight.Tests.Analyzers.Support;
using AgentSight.Tests.Plugins;

namespace AgentSight.Tests.Analyzers.Http;

/// <summary>
/// Compressed bodies are inflated within bounds: a decoded size per body (<c>max_decoded_bytes</c>) and a ratio guard
/// (<c>max_decompression_ratio</c>), streamed or not, in every coding. A body stopped by either is cut, says so
/// (<c>body_truncated</c>) and is counted (<c>decompression_capped</c>); ordinary bodies are untouched.
/// </summary>
public sealed class HttpDecompressionCapTests
{
    /// <summary>What a bomb inflates to: 128 MiB of a short event, repeated (about 1000:1 in gzip).</summary>
    private const long BombSize = 128L * 1024 * 1024;

    private static readonly Dictionary<string, byte[]> Bombs = [];

    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    [InlineData("br")]
    public void A_streamed_body_stops_inflating_at_the_decoded_size_cap_and_says_so(string encoding)
    {
        var config = ManifestJson.Bind<HttpAnalyzerConfig>("""{"max_decoded_bytes":4194304,"max_decompression_ratio":0}""");

        var run = HttpRun.Of(StreamedResponse(Bomb(encoding), encoding), config);

        var exchange = Assert.Single(run.Exchanges);
        var decoded = run.StreamedBody((string)exchange["exchange_id"]!).LongLength;
        Assert.InRange(decoded, 4L * 1024 * 1024 - 64 * 1024, 4L * 1024 * 1024);
        Assert.True((bool)exchange["response"]!["body_truncated"]!);
        Assert.InRange((long)exchange["response"]!["body_size"]!, 0, 4L * 1024 * 1024);
        Assert.Equal(1, run.Counter("decompression_capped"));
        Assert.Equal(1, run.Counter("bodies_truncated"));
        Assert.Equal(0, run.Counter("decode_errors"));
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    [InlineData("br")]
    public void By_default_the_ratio_guard_stops_a_bomb_after_a_few_megabytes(string encoding)
    {
        var run = HttpRun.Of(StreamedResponse(Bomb(encoding), encoding));

        var exchange = Assert.Single(run.Exchanges);
        Assert.InRange(run.StreamedBody((string)exchange["exchange_id"]!).LongLength, 1, 2L * 1024 * 1024);
        Assert.True((bool)exchange["response"]!["body_truncated"]!);
        Assert.Equal(1, run.Counter("decompression_capped"));
    }

    [Fact]
    public void A_kept_body_arriving_in_one_read_is_not_inflated_past_the_cap_inside_that_read()
    {
        var bomb = Bomb("gzip");
        var config = ManifestJson.Bind<HttpAnalyzerConfig>("""{"max_decoded_bytes":8388608,"max_decompression_ratio":0}""");
        var wire = new Wire().Write(Wire.Request("{}"));
        var head = $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: {bomb.Length}\r\n\r\n";
        wire.Add(TlsDirection.Read, [.. Encoding.ASCII.GetBytes(head), .. bomb]);

        var run = HttpRun.Of(wire.Events, config);

        var response = Assert.Single(run.Exchanges)["response"]!;
        Assert.True((bool)response["body_truncated"]!);
        Assert.InRange((long)response["body_size"]!, 1, 8L * 1024 * 1024);
        Assert.Equal(1, run.Counter("decompression_capped"));
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("br")]
    public void Ordinary_compressed_bodies_even_very_compressible_ones_are_not_capped(string encoding)
    {
        // A real event stream, and half a megabyte of one repeated letter (1000:1, but under the guard's floor).
        var stream = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 3000).Select(i =>
            $"event: content_block_delta\ndata: {{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{{\"type\":\"text_delta\",\"text\":\"token {i}\"}}}}\n\n")));
        var letters = Encoding.ASCII.GetBytes(new string('x', 512 * 1024));
        foreach (var body in new[] { stream, letters })
        {
            var compressed = encoding == "gzip" ? Wire.Gzip(body) : Wire.Brotli(body);

            var run = HttpRun.Of(StreamedResponse(compressed, encoding));

            var exchange = Assert.Single(run.Exchanges);
            Assert.Equal(body, run.StreamedBody((string)exchange["exchange_id"]!));
            Assert.False((bool)exchange["response"]!["body_truncated"]!);
            Assert.Equal(0, run.Counter("decompression_capped"));
        }
    }

    [Fact]
    public void The_caps_bind_from_the_manifest_and_are_validated()
    {
        var config = ManifestJson.Bind<HttpAnalyzerConfig>("""{"max_decoded_bytes":1048576,"max_decompression_ratio":50}""");
        Assert.Equal(1_048_576, config.MaxDecodedBytes);
        Assert.Equal(50, config.MaxDecompressionRatio);
        Assert.Empty(config.Validate());

        var defaults = new HttpAnalyzerConfig();
        Assert.Equal(64L * 1024 * 1024, defaults.MaxDecodedBytes);
        Assert.Equal(400, defaults.MaxDecompressionRatio);

        Assert.Contains(new HttpAnalyzerConfig { MaxDecodedBytes = 100 }.Validate(), e => e.Key == "max_decoded_bytes");
        Assert.Contains(new HttpAnalyzerConfig { MaxDecompressionRatio = -1 }.Validate(), e => e.Key == "max_decompression_ratio");
    }

    /// <summary>A request, then a chunked event-stream response carrying <paramref name="compressed"/> in 16 KiB reads.</summary>
    private static List<AgentEvent> StreamedResponse(byte[] compressed, string encoding)
    {
        var wire = new Wire().Write(Wire.Request("{}"))
            .Read(Wire.StreamHead(extraHeaders: $"Content-Encoding: {encoding}\r\n"));
        for (var i = 0; i < compressed.Length; i += 16 * 1024)
        {
            wire.Add(TlsDirection.Read, Wire.Latin1(Wire.Chunk(compressed[i..Math.Min(compressed.Length, i + 16 * 1024)])));
        }
        wire.Read(Wire.LastChunk);
        return wire.Events;
    }

    /// <summary>128 MiB of <c>data: {"x":0}</c> events, compressed as tightly as the coding can.</summary>
    private static byte[] Bomb(string encoding)
    {
        lock (Bombs)
        {
            if (Bombs.TryGetValue(encoding, out var cached))
            {
                return cached;
            }
            var block = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("data: {\"x\":0}\n\n", 4096)));
            using var output = new MemoryStream();
            using (Stream compressor = encoding switch
            {
                "gzip" => new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true),
                "deflate" => new ZLibStream(output, CompressionLevel.SmallestSize, leaveOpen: true),
                _ => new BrotliStream(output, CompressionLevel.SmallestSize, leaveOpen: true),
            })
            {
                for (long written = 0; written < BombSize; written += block.Length)
                {
                    compressor.Write(block);
                }
            }
            return Bombs[encoding] = output.ToArray();
        }
    }
}
