namespace AgentSight.Host.Capture.Discovery.Stacks;

/// <summary>
/// OpenSSL 3 linked statically and stripped (Copilot CLI's <c>runtime.node</c>, many Rust and C programs):
/// <c>ssl_read_internal</c> and <c>ssl_write_internal</c>, which every <c>SSL_read*</c>/<c>SSL_write*</c> goes through,
/// found by their own names: OpenSSL 3's <c>ERR_raise</c> passes <c>__func__</c>, so each is the only function that
/// loads the string of its name.
/// </summary>
/// <remarks>
/// <c>ssl_read_internal(SSL*, void *buf, size_t num, size_t *readbytes)</c> has <c>SSL_read_ex</c>'s shape.
/// <c>ssl_write_internal</c> gained a <c>uint64_t flags</c> argument before <c>written</c> in OpenSSL 3.3: the version
/// string says which, or, without one, the reason code 412 (unsupported write flag) that only the new one reports.
/// OpenSSL 1.1.1 passes numeric function codes instead of names and is not found this way.
/// </remarks>
internal sealed class OpenSslStaticFinder : ITlsStackFinder
{
    private const int UnsupportedWriteFlag = 0x19c;

    public string Name => "OpenSSL 3 linked statically, by the names its error macros pass";

    public TlsStack? Find(DiscoveryContext context)
    {
        var readName = context.ExactStrings("ssl_read_internal");
        var writeName = context.ExactStrings("ssl_write_internal");
        if (readName.Count == 0 && writeName.Count == 0)
        {
            return null;
        }
        var read = OnlyFunctionLoading(context, readName);
        var write = OnlyFunctionLoading(context, writeName);
        if (read is null || write is null)
        {
            context.Problems.Add($"OpenSSL (static): {(read is null ? "ssl_read_internal" : "ssl_write_internal")} not matched (its name is in the file but no single function loads it)");
            return null;
        }
        var version = context.VersionAfter("OpenSSL ");
        bool withFlags;
        string how;
        if (version is not null && System.Version.TryParse(version, out var parsed))
        {
            withFlags = parsed >= new System.Version(3, 3);
            how = $"OpenSSL {version}";
        }
        else
        {
            withFlags = context.Functions.Code(write.Value).Instructions.Any(i => i.Mnemonic == Iced.Intel.Mnemonic.Mov && i.Op1Kind == Iced.Intel.OpKind.Immediate32 && i.Immediate32 == UnsupportedWriteFlag);
            how = withFlags ? "reason 412 in ssl_write_internal" : "no reason 412 in ssl_write_internal";
        }
        var sites = new List<ProbeSite>
        {
            new("ssl_read_internal", ProbeKind.SslReadEx, read.Value),
            new("ssl_write_internal", withFlags ? ProbeKind.SslWriteInternalFlags : ProbeKind.SslWriteEx, write.Value),
        };
        var notes = new List<string> { $"ssl_write_internal takes {(withFlags ? "flags (OpenSSL 3.3 and later)" : "no flags (OpenSSL 3.0-3.2)")}: {how}" };
        return new TlsStack("OpenSSL", version, "the names its error macros pass (static, stripped)", sites, notes);
    }

    /// <summary>The start of the one function that loads any of <paramref name="names"/>, or null when none or several do.</summary>
    private static ulong? OnlyFunctionLoading(DiscoveryContext context, List<ulong> names)
    {
        if (names.Count == 0)
        {
            return null;
        }
        var starts = CodeReferences.Find(context.Elf, names).Select(r => context.Functions.StartOf(r.Address)).OfType<ulong>().Distinct().ToList();
        return starts.Count == 1 ? starts[0] : null;
    }
}
