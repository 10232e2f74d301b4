namespace StableVsr;

/// <summary>A progress report of an upscaling run.</summary>
/// <param name="Phase">What is being done.</param>
/// <param name="Frame">Frame just processed (0-based index in the sequence), or -1 when the phase is not per frame.</param>
/// <param name="FrameCount">Frames in the sequence (see <see cref="Sequence"/>).</param>
/// <param name="Step">Denoising step (1-based) during <see cref="UpscalePhase.Denoising"/>, else 0.</param>
/// <param name="StepCount">Denoising steps of the run.</param>
/// <param name="Elapsed">Time since the run started.</param>
/// <param name="Fraction">Share of the run's work done, from 0 to 1 (denoising dominates it).</param>
public readonly record struct UpscaleProgress(
    UpscalePhase Phase, int Frame, int FrameCount, int Step, int StepCount, TimeSpan Elapsed, double Fraction)
{
    /// <summary>Sequence the report is about (0-based) when several sequences are upscaled together; 0 otherwise.</summary>
    public int Sequence { get; init; }

    /// <summary>Sequences upscaled together in the run; 1 for a single sequence.</summary>
    public int SequenceCount { get; init; } = 1;

    /// <summary>Estimated time left from the work done so far; null until some work is done.</summary>
    public TimeSpan? EstimatedRemaining => Fraction switch
    {
        >= 1 => TimeSpan.Zero,
        > 0 => TimeSpan.FromTicks((long)(Elapsed.Ticks * (1 - Fraction) / Fraction)),
        _ => null,
    };

    /// <summary>A report of frame <paramref name="frame"/> read, before any work on it.</summary>
    public static UpscaleProgress Reading(int frame, int frameCount, int stepCount, TimeSpan elapsed) =>
        new(UpscalePhase.Reading, frame, frameCount, 0, stepCount, elapsed, 0);

    /// <summary>A report of work in <paramref name="phase"/> on <paramref name="frame"/> (-1: not per frame) at denoising step <paramref name="step"/> (0: none).</summary>
    public static UpscaleProgress Working(UpscalePhase phase, int frame, int frameCount, int step, int stepCount, TimeSpan elapsed, double fraction) =>
        new(phase, frame, frameCount, step, stepCount, elapsed, fraction);

    /// <summary>The final report of a run that produced <paramref name="frameCount"/> frames.</summary>
    public static UpscaleProgress Completed(int frameCount, int stepCount, TimeSpan elapsed) =>
        new(UpscalePhase.Completed, -1, frameCount, 0, stepCount, elapsed, 1);
}
