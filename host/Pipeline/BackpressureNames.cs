namespace AgentSight.Host.Pipeline;

/// <summary>The manifest spelling of <see cref="Backpressure"/> values.</summary>
internal static class BackpressureNames
{
    public const string Block = "block";
    public const string DropOldest = "drop-oldest";
    public const string DropNewest = "drop-newest";

    public static readonly IReadOnlyList<string> All = [Block, DropOldest, DropNewest];

    public static string Format(Backpressure policy) => policy switch
    {
        Backpressure.DropOldest => DropOldest,
        Backpressure.DropNewest => DropNewest,
        _ => Block,
    };

    public static bool TryParse(string? text, out Backpressure policy)
    {
        switch (text)
        {
            case Block:
                policy = Backpressure.Block;
                return true;
            case DropOldest:
                policy = Backpressure.DropOldest;
                return true;
            case DropNewest:
                policy = Backpressure.DropNewest;
                return true;
            default:
                policy = default;
                return false;
        }
    }
}
