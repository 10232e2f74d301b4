namespace StableVsr;

/// <summary>A progress report of an upscaling run.</summary>
/// <param name="Phase">What is being done.</param>
/// <param name="Frame">Frame just processed (0-based index in the clip), or -1 when the phase is not per frame.</param>
/// <param name="FrameCount">Frames in the clip (see <see cref="Clip"/>).</param>
/// <param name="Step">Denoising step (1-based) during <see cref="UpscalePhase.Denoising"/>, else 0.</param>
/// <param name="StepCount">Denoising steps of the run.</param>
/// <param name="Elapsed">Time since the run started.</param>
/// <param name="Fraction">Share of the run's work done, from 0 to 1 (denoising dominates it).</param>
public readonly record struct UpscaleProgress(
    UpscalePhase Phase, int Frame, int FrameCount, int Step, int StepCount, TimeSpan Elapsed, double Fraction)
{
    /// <summary>Clip the report is about (0-based) when several clips are upscaled together; 0 otherwise.</summary>
    public int Clip { get; init; }

    /// <summary>Clips upscaled together in the run; 1 for a single clip.</summary>
    public int ClipCount { get; init; } = 1;

    /// <summary>Estimated time left from the work done so far; null until some work is done.</summary>
    public TimeSpan? EstimatedRemaining => Fraction switch
    {
        >= 1 => TimeSpan.Zero,
        > 0 => TimeSpan.FromTicks((long)(Elapsed.Ticks * (1 - Fraction) / Fraction)),
        _ => null,
    };
}
