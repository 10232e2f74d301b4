namespace StableVsr.Training.Randomness;

/// <summary>
/// A small deterministic generator (SplitMix64) for the data pipeline's choices (crops, flips, window starts), with
/// Python's <c>random</c> semantics where the dataset uses them: <see cref="NextInt(int, int)"/> is <c>randint</c>
/// (both ends included) and <see cref="NextDouble"/> is <c>random()</c> in [0, 1). The sequence depends only on the
/// seed, so it is the same on every machine and .NET version (unlike <see cref="Random"/>).
/// </summary>
internal sealed class KeyedRandom
{
    private ulong state;

    public KeyedRandom(long seed) => state = (ulong)seed;

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform integer in [<paramref name="low"/>, <paramref name="high"/>], both included.</summary>
    public int NextInt(int low, int high)
    {
        if (high < low)
        {
            throw new ArgumentOutOfRangeException(nameof(high), high, $"The range [{low}, {high}] is empty.");
        }

        // Rejection sampling keeps the draw uniform whatever the range.
        var range = (ulong)((long)high - low + 1);
        var limit = ulong.MaxValue - (ulong.MaxValue % range);
        ulong value;
        do
        {
            value = Next();
        }
        while (value >= limit);

        return (int)(low + (long)(value % range));
    }

    private ulong Next()
    {
        state += 0x9E3779B97F4A7C15UL;
        var z = state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
