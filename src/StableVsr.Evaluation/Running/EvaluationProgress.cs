namespace StableVsr.Evaluation;

/// <summary>How far an evaluation has come.</summary>
/// <param name="Sequence">The sequence being evaluated.</param>
/// <param name="SequenceIndex">Its position among the sequences, from 0.</param>
/// <param name="SequenceCount">The number of sequences.</param>
/// <param name="FramesDone">Frame pairs evaluated so far, over all sequences.</param>
/// <param name="FrameCount">Frame pairs to evaluate in all.</param>
/// <param name="Elapsed">Time since the evaluation started (models already loaded).</param>
public sealed record EvaluationProgress(string Sequence, int SequenceIndex, int SequenceCount, int FramesDone, int FrameCount, TimeSpan Elapsed)
{
    /// <summary>The fraction done, 0 to 1.</summary>
    public double Fraction => FrameCount == 0 ? 1 : (double)FramesDone / FrameCount;

    /// <summary>The time left at the pace so far; null before the first frame.</summary>
    public TimeSpan? EstimatedRemaining => FramesDone == 0 ? null : Elapsed * ((double)(FrameCount - FramesDone) / FramesDone);
}
