using StableVsr.Sampling.Noise;

namespace StableVsr.Sampling.Pipeline;

/// <summary>
/// Where a sequence stands between windows: its noise, the index of the next window's first frame, and what the
/// previous window handed over. Owns the carry.
/// </summary>
internal sealed class SequenceState(INoiseSource noise, int nextFrame = 0, WindowCarry? carry = null) : IDisposable
{
    /// <summary>The sequence's noise, keyed by (step, frame in the sequence).</summary>
    public INoiseSource Noise { get; } = noise;

    /// <summary>Index in the sequence of the next window's first frame (the frames finished so far).</summary>
    public int NextFrame { get; private set; } = nextFrame;

    /// <summary>The previous window's carry, or null before the first window (or when windows are independent).</summary>
    public WindowCarry? Carry { get; private set; } = carry;

    /// <summary>Moves past a window of <paramref name="frames"/> frames and replaces the carry (disposing the old one).</summary>
    public void Advance(int frames, WindowCarry? carry)
    {
        NextFrame += frames;
        if (!ReferenceEquals(Carry, carry))
        {
            Carry?.Dispose();
        }

        Carry = carry;
    }

    /// <inheritdoc />
    public void Dispose() => Carry?.Dispose();
}
