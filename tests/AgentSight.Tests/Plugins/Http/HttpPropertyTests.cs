using System.Text;
using AgentSight.Contracts;
using AgentSight.Plugins.Http;
using AgentSight.Tests.Analyzers.Support;
using CsCheck;

namespace AgentSight.Tests.Analyzers.Http;

/// <summary>Any split of the bytes gives the same messages: chunk sizes, CRLFs and compressed data cut anywhere.</summary>
public sealed class HttpPropertyTests
{
    private static readonly byte[] Stream = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 120).Select(i =>
        $"data: {{\"i\":{i},\"text\":\"ünïcödé ✓ {i}\"}}\n\n")));

    [Fact]
    public void A_gzip_chunked_stream_cut_at_any_points_decodes_to_the_same_bytes()
    {
        var compressed = Wire.Gzip(Stream);
        var chunked = new List<byte>(Encoding.ASCII.GetBytes(Wire.Request("{}")));
        var requestLength = chunked.Count;
        chunked.AddRange(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n"));
        for (var i = 0; i < compressed.Length; i += 50)
        {
            var piece = compressed[i..Math.Min(compressed.Length, i + 50)];
            chunked.AddRange(Encoding.ASCII.GetBytes(piece.Length.ToString("x") + ";ext=1\r\n"));
            chunked.AddRange(piece);
            chunked.AddRange("\r\n"u8.ToArray());
        }
        chunked.AddRange("0\r\nTrailer: x\r\n\r\n"u8.ToArray());
        var request = chunked.Take(requestLength).ToArray();
        var response = chunked.Skip(requestLength).ToArray();

        Gen.Int[1, response.Length - 1].Array[0, 30].Sample(cuts =>
        {
            var wire = new Wire().Add(TlsDirection.Write, request);
            var start = 0;
            foreach (var cut in cuts.Distinct().Order().Append(response.Length))
            {
                wire.Add(TlsDirection.Read, response[start..cut]);
                start = cut;
            }

            var run = HttpRun.Of(wire.Events);

            var exchange = Assert.Single(run.Exchanges);
            Assert.True((bool)exchange["complete"]!);
            Assert.Equal(Stream, run.StreamedBody((string)exchange["exchange_id"]!));
            Assert.All(run.Pieces, p => Assert.False(((string)p["data"]!).StartsWith("HEX:", StringComparison.Ordinal)));
        }, iter: 300);
    }

    [Fact]
    public void Chunked_decoding_is_the_same_for_any_split_of_its_input()
    {
        var body = "7\r\nchunk 1\r\n1A;x=y\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nT: 1\r\n\r\nNEXT"u8.ToArray();
        Gen.Int[0, body.Length].Array[0, 10].Sample(cuts =>
        {
            var decoder = new ChunkedDecoder();
            var sink = new Collect();
            var start = 0;
            var status = FramingStatus.NeedMore;
            var used = 0;
            foreach (var cut in cuts.Distinct().Order().Append(body.Length))
            {
                if (status == FramingStatus.Done)
                {
                    break;
                }
                status = decoder.Feed(body.AsSpan(start, cut - start), sink, out var consumed);
                used = start + consumed;
                start = cut;
            }
            Assert.Equal(FramingStatus.Done, status);
            Assert.Equal("chunk 1abcdefghijklmnopqrstuvwxyz", Encoding.ASCII.GetString([.. sink.Bytes]));
            Assert.Equal(body.Length - 4, used);
        }, iter: 500);
    }

    [Fact]
    public void Broken_chunk_framing_is_an_error_not_a_guess()
    {
        foreach (var bad in new[] { "zz\r\n", "5\r\nabcdeXY", "\r\n", "1234567890abc\r\n" })
        {
            var status = new ChunkedDecoder().Feed(Encoding.ASCII.GetBytes(bad), new Collect(), out _);
            Assert.Equal(FramingStatus.Error, status);
        }
    }

    [Fact]
    public void A_piece_never_ends_inside_a_character()
    {
        var text = Encoding.UTF8.GetBytes("aé✓😀z");
        for (var end = 0; end <= text.Length; end++)
        {
            var held = Utf8Tail.IncompleteLength(text.AsSpan(0, end));
            Assert.True(System.Text.Unicode.Utf8.IsValid(text.AsSpan(0, end - held)), $"cut at {end}, held {held}");
        }
    }

    private sealed class Collect : IBodyTarget
    {
        public List<byte> Bytes { get; } = [];

        public void OnBody(ReadOnlySpan<byte> bytes) => Bytes.AddRange(bytes.ToArray());
    }
}
