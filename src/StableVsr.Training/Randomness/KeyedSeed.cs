namespace StableVsr.Training.Randomness;

/// <summary>
/// Derives independent 63-bit seeds from a seed and a tuple of keys with SplitMix64, so neighbouring keys (batch 7 and
/// batch 8, or two kinds of noise) give unrelated streams, the same way <c>SeededNoiseSource</c> keys inference noise.
/// </summary>
internal static class KeyedSeed
{
    /// <summary>A seed for <paramref name="keys"/> under <paramref name="seed"/>, never negative.</summary>
    public static long Derive(long seed, params long[] keys)
    {
        var state = Mix((ulong)seed);
        foreach (var key in keys)
        {
            state = Mix(state ^ (ulong)key);
        }

        return (long)(state & long.MaxValue);
    }

    /// <summary>SplitMix64's finaliser.</summary>
    public static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
