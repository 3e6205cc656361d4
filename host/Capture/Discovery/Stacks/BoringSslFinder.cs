namespace AgentSight.Host.Capture.Discovery.Stacks;

/// <summary>
/// BoringSSL linked into a stripped program (Bun, and so Claude Code): <c>SSL_read</c>, <c>SSL_write</c> and
/// <c>SSL_do_handshake</c> found through the error sites of <c>ssl/ssl_lib.cc</c>, told apart by their reason codes.
/// </summary>
/// <remarks>
/// Every <c>OPENSSL_PUT_ERROR(SSL, reason)</c> in <c>ssl_lib.cc</c> loads the file's name and passes library 16 (SSL),
/// a reason code and a line number to the error function. Line numbers move with every BoringSSL change and prologues
/// with every compiler change; the reason codes a function reports, and which function calls which, do not:
/// <list type="bullet">
/// <item><c>SSL_write</c> reports 66 (should not have been called: QUIC), 226 (uninitialized), 215 (handshake failure) and 111 (bad length);</item>
/// <item><c>ssl_read_impl</c> reports 226 before 215, and only codes from {226, 215, 182, 110};</item>
/// <item><c>SSL_read</c> reports only 66 and calls <c>ssl_read_impl</c> (<c>SSL_peek</c> is inlined into it);</item>
/// <item><c>SSL_do_handshake</c> reports only 134 (connection type not set) and is called by <c>SSL_write</c> and <c>ssl_read_impl</c>.</item>
/// </list>
/// The calls between them are the check that the right functions were found.
/// </remarks>
internal sealed class BoringSslFinder : ITlsStackFinder
{
    private const int LibSsl = 16;
    private const int ShouldNotHaveBeenCalled = 66;
    private const int Uninitialized = 226;
    private const int HandshakeFailure = 215;
    private const int BadLength = 111;
    private const int ConnectionTypeNotSet = 134;
    private static readonly int[] ReadImplReasons = [Uninitialized, HandshakeFailure, 182, 110];

    public string Name => "BoringSSL by the error sites of ssl_lib.cc";

    public TlsStack? Find(DiscoveryContext context)
    {
        var files = context.StringsEndingWith("ssl/ssl_lib.cc");
        if (files.Count == 0)
        {
            return null;
        }
        var functions = ErrorSites.ByFunction(context, files, LibSsl);
        if (functions.Count == 0)
        {
            context.Problems.Add($"BoringSSL: its ssl_lib.cc is in the file but no error site referring to it was recognised ({files.Count} copies of the name)");
            return null;
        }

        var write = functions.Where(f => f.Has(ShouldNotHaveBeenCalled, Uninitialized, HandshakeFailure, BadLength)).ToList();
        var readImpl = functions.Where(f => f.Reasons.All(ReadImplReasons.Contains) && f.Before(Uninitialized, HandshakeFailure)).ToList();
        var handshake = functions.Where(f => f.Reasons.Distinct().SequenceEqual([ConnectionTypeNotSet])).ToList();
        var onlyShouldNot = functions.Where(f => f.Reasons.Distinct().SequenceEqual([ShouldNotHaveBeenCalled])).ToList();
        var code = context.Functions;
        var read = onlyShouldNot.Where(f => readImpl.Any(impl => code.Code(f.Start).Calls(impl.Start))).ToList();
        // SSL_do_handshake is the [134] function that SSL_write and ssl_read_impl both call.
        var calledHandshake = handshake.Where(h => write.Any(w => code.Code(w.Start).Calls(h.Start))
            && readImpl.Any(r => code.Code(r.Start).Calls(h.Start))).ToList();

        var missing = new List<string>();
        if (write.Count != 1)
        {
            missing.Add(write.Count == 0 ? "SSL_write not matched (no function reports reasons 66, 226, 215 and 111)" : $"SSL_write ambiguous ({write.Count} candidates)");
        }
        if (read.Count != 1)
        {
            missing.Add(read.Count == 0
                ? $"SSL_read not matched ({readImpl.Count} ssl_read_impl candidates, {onlyShouldNot.Count} functions reporting only reason 66, none calling one)"
                : $"SSL_read ambiguous ({read.Count} candidates)");
        }
        if (missing.Count > 0)
        {
            context.Problems.Add($"BoringSSL: {string.Join("; ", missing)}");
            return null;
        }

        var sites = new List<ProbeSite>
        {
            new("SSL_read", ProbeKind.SslRead, read[0].Start),
            new("SSL_write", ProbeKind.SslWrite, write[0].Start),
        };
        var notes = new List<string>
        {
            $"{functions.Count} functions report errors from ssl_lib.cc; SSL_read calls ssl_read_impl (0x{readImpl.First(r => code.Code(read[0].Start).Calls(r.Start)).Start:x})",
        };
        if (calledHandshake.Count == 1)
        {
            sites.Add(new ProbeSite("SSL_do_handshake", ProbeKind.SslHandshake, calledHandshake[0].Start));
            notes.Add("SSL_do_handshake is called by both SSL_write and ssl_read_impl");
        }
        else
        {
            notes.Add($"SSL_do_handshake not probed ({calledHandshake.Count} candidates called by SSL_write and ssl_read_impl): no HANDSHAKE events");
        }
        return new TlsStack("BoringSSL", null, "error sites of ssl_lib.cc, told apart by reason codes and calls", sites, notes);
    }
}
