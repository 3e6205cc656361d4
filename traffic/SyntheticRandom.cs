namespace AgentSight.Traffic;

/// <summary>
/// A small seeded generator (xoshiro256**, seeded by SplitMix64). <see cref="Random"/> with a seed is not promised
/// to give the same numbers on every .NET version; recordings made from a seed must stay the same.
/// </summary>
internal sealed class SyntheticRandom
{
    private ulong _s0, _s1, _s2, _s3;

    public SyntheticRandom(ulong seed)
    {
        var x = seed;
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    public ulong NextUInt64()
    {
        var result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>A value in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A value in [<paramref name="min"/>, <paramref name="max"/>).</summary>
    public int Next(int min, int max) => min + (int)(NextDouble() * (max - min));

    /// <summary>A value in [<paramref name="min"/>, <paramref name="max"/>).</summary>
    public long NextLong(long min, long max) => min + (long)(NextDouble() * (max - min));

    /// <summary>True with probability <paramref name="probability"/>.</summary>
    public bool Chance(double probability) => NextDouble() < probability;

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(0, items.Count)];

    /// <summary>A skewed duration: mostly near <paramref name="typical"/>, sometimes several times longer.</summary>
    public long Around(long typical, double spread = 0.5)
    {
        // Log-normal-ish: exp of a sum of uniforms is cheap and has the long right tail of real latencies.
        var z = (NextDouble() + NextDouble() + NextDouble() - 1.5) * 2 * spread;
        return Math.Max(1, (long)(typical * Math.Exp(z)));
    }

    /// <summary>Random characters from <paramref name="alphabet"/>.</summary>
    public string Chars(int count, string alphabet)
    {
        return string.Create(count, (this, alphabet), static (span, state) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = state.alphabet[state.Item1.Next(0, state.alphabet.Length)];
            }
        });
    }

    private static ulong SplitMix(ref ulong x)
    {
        var z = x += 0x9E3779B97F4A7C15;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }
}
