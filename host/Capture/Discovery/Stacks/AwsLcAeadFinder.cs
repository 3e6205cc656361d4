namespace AgentSight.Host.Capture.Discovery.Stacks;

/// <summary>
/// The AEAD layer of aws-lc, through which rustls (with aws-lc-rs, as in Codex) encrypts and decrypts every TLS record:
/// <c>EVP_AEAD_CTX_seal</c>, <c>EVP_AEAD_CTX_seal_scatter</c> and <c>EVP_AEAD_CTX_open</c>, found through the error
/// sites of <c>crypto/fipsmodule/cipher/aead.c</c> and told apart by their reason codes.
/// </summary>
/// <remarks>
/// Probing rustls's own functions was tried and rejected (docs/CAPTURE.md): its read path is inlined into
/// tokio-rustls, reading its arguments depends on the compiler's enum layout, and its line numbers move with every
/// release. The AEAD functions are C with a fixed signature, one call per record, the same in every rustls version
/// that uses aws-lc. Each reports <c>OPENSSL_PUT_ERROR(CIPHER, reason)</c>: library 30, and
/// <list type="bullet">
/// <item><c>EVP_AEAD_CTX_open</c> reports 101 (bad decrypt);</item>
/// <item><c>EVP_AEAD_CTX_seal</c> reports 117 (too large), 103 (buffer too small) and 115 (output aliases input);</item>
/// <item><c>EVP_AEAD_CTX_seal_scatter</c> reports 115 and 112 (invalid operation: extra input not supported), not 103.</item>
/// </list>
/// A record's type is known only inside: the programs keep application data (docs/CAPTURE.md). Binaries that use
/// rustls with the <c>ring</c> provider are not covered by this.
/// </remarks>
internal sealed class AwsLcAeadFinder : ITlsStackFinder
{
    private const int LibCipher = 30;
    private const int BadDecrypt = 0x65;
    private const int TooLarge = 0x75;
    private const int BufferTooSmall = 0x67;
    private const int OutputAliasesInput = 0x73;
    private const int ScatterOnly = 0x70;

    public string Name => "aws-lc's AEAD functions by the error sites of aead.c";

    public TlsStack? Find(DiscoveryContext context)
    {
        var files = context.StringsEndingWith("crypto/fipsmodule/cipher/aead.c").Where(a => context.Elf.StringAt(a)?.Contains("aws-lc", StringComparison.Ordinal) == true).ToList();
        if (files.Count == 0)
        {
            return null;
        }
        var functions = ErrorSites.ByFunction(context, files, LibCipher);
        var seal = functions.Where(f => f.Has(TooLarge, BufferTooSmall, OutputAliasesInput)).ToList();
        var scatter = functions.Where(f => f.Has(OutputAliasesInput, ScatterOnly) && !f.Has(BufferTooSmall)).ToList();
        var open = functions.Where(f => f.Has(BadDecrypt)).ToList();
        var found = string.Join(", ", functions.Select(f => $"0x{f.Start:x}:[{string.Join(",", f.Reasons)}]"));
        if (seal.Count != 1 || open.Count != 1)
        {
            context.Problems.Add($"aws-lc: EVP_AEAD_CTX_seal/open not matched ({seal.Count} seal and {open.Count} open candidates among {functions.Count} functions with aead.c error sites)");
            return null;
        }
        var sites = new List<ProbeSite>
        {
            new("EVP_AEAD_CTX_seal", ProbeKind.AeadSeal, seal[0].Start),
            new("EVP_AEAD_CTX_open", ProbeKind.AeadOpen, open[0].Start),
        };
        var notes = new List<string> { $"functions with aead.c error sites (reasons in line order): {found}" };
        if (scatter.Count == 1)
        {
            sites.Add(new ProbeSite("EVP_AEAD_CTX_seal_scatter", ProbeKind.AeadSealScatter, scatter[0].Start));
        }
        else
        {
            notes.Add($"EVP_AEAD_CTX_seal_scatter not probed ({scatter.Count} candidates): TLS 1.2 records sent through it are not seen");
        }
        var rustls = RustCrateVersion(context, "rustls");
        var provider = RustCrateVersion(context, "aws-lc-rs");
        var version = string.Join(" + ", new[] { rustls is null ? null : $"rustls {rustls}", provider is null ? null : $"aws-lc-rs {provider}" }.OfType<string>());
        return new TlsStack("aws-lc AEAD (rustls)", version.Length == 0 ? null : version, "error sites of aead.c, told apart by reason codes", sites, notes);
    }

    /// <summary>A crate's version from the paths Rust's panic locations keep: ".../rustls-0.23.46/src/...".</summary>
    private static string? RustCrateVersion(DiscoveryContext context, string crate) => context.VersionAfter($"/{crate}-");
}
