namespace AgentSight.Plugins.Http;

/// <summary>
/// How far one body may be inflated: at most <see cref="MaxOutput"/> decoded bytes, and, once more than
/// <see cref="RatioFloor"/> came out, at most <see cref="MaxRatio"/> decoded bytes per compressed byte fed in.
/// </summary>
/// <remarks>
/// A compressed body is tiny on the wire and can be huge decoded: a 1 MB gzip response inflates to 1 GiB, brotli
/// further. Without a bound, a few such responses cost seconds of CPU and gigabytes of output (streamed pieces are
/// not kept, so <c>max_body_bytes</c> never stopped them). The size cap bounds the cost of any body; the ratio guard
/// stops a bomb after a megabyte or so, far beyond what real text and JSON reach (3–20:1, a few hundred for the most
/// repetitive), while leaving small very compressible bodies alone.
/// </remarks>
internal readonly record struct DecodeLimits(long MaxOutput, double MaxRatio)
{
    /// <summary>Decoded bytes before the ratio guard applies.</summary>
    public const long RatioFloor = 1024 * 1024;

    /// <summary>The defaults of <c>max_decoded_bytes</c> and <c>max_decompression_ratio</c>, for decoders made without a config.</summary>
    public static DecodeLimits Default { get; } = new(HttpAnalyzerConfig.DefaultMaxDecodedBytes, HttpAnalyzerConfig.DefaultMaxDecompressionRatio);

    /// <summary>The limits a configuration sets.</summary>
    public static DecodeLimits From(HttpAnalyzerConfig config) => new(config.MaxDecodedBytes, config.MaxDecompressionRatio);

    /// <summary>True when <paramref name="decoded"/> bytes out of <paramref name="compressed"/> in is past the ratio guard.</summary>
    public bool RatioExceeded(long decoded, long compressed) =>
        MaxRatio > 0 && decoded > RatioFloor && decoded > MaxRatio * Math.Max(1, compressed);
}
