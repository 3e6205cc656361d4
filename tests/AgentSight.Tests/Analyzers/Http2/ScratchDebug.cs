using AgentSight.Contracts;
using AgentSight.Plugins.Http.Http2;
using AgentSight.Tests.Analyzers.Support;
using CsCheck;
using Xunit.Abstractions;

namespace AgentSight.Tests.Analyzers.Http2;

public sealed class ScratchDebug(ITestOutputHelper output)
{
    [Fact]
    public void Scratch()
    {
        var falsePositives = 0;
        Gen.Int.Sample(seed =>
        {
            var random = new Random(seed);
            var conversation = Http2PropertyTests.Conversation(random);
            var events = conversation.Events(maxCuts: 3);
            // true frame boundaries per direction
            var bounds = new Dictionary<bool, HashSet<int>> { [true] = [0], [false] = [0] };
            var offs = new Dictionary<bool, int> { [true] = 0, [false] = 0 };
            var first = true;
            foreach (var (c, b) in conversation.Frames)
            {
                var len = b.Length;
                if (first && c) { bounds[c].Add(24); first = false; }
                // split concatenated frames
                var p = 0; var start = c && offs[c] == 0 ? 24 : 0;
                p = start;
                while (p < len) { var flen = (b[p] << 16) | (b[p+1] << 8) | b[p+2]; p += 9 + flen; bounds[c].Add(offs[c] + p); }
                offs[c] += len;
            }
            var pos = new Dictionary<bool, int> { [true] = 0, [false] = 0 };
            foreach (var e in events)
            {
                var t = (TlsPayload)e.Data;
                var w = t.Direction == TlsDirection.Write;
                if (Http2Detector.LooksLikeFrames(t.Bytes.Span) && !bounds[w].Contains(pos[w]))
                {
                    falsePositives++;
                    output.WriteLine($"false sync {(w ? "W" : "R")} at {pos[w]} len {t.Bytes.Length}: {Convert.ToHexString(t.Bytes.Span[..Math.Min(40, t.Bytes.Length)])}");
                }
                pos[w] += t.Bytes.Length;
            }
        }, iter: 3000, threads: 1);
        output.WriteLine($"false positives {falsePositives}");
    }
}
