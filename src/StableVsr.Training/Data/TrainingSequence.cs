namespace StableVsr.Training.Data;

/// <summary>One training sequence: its HR frames and the LR frames of the same names, in frame order.</summary>
/// <param name="Name">The sequence folder's name (REDS: "000", "001", ...).</param>
/// <param name="HighResolution">The ground-truth frame files.</param>
/// <param name="LowResolution">The LR frame files, one per HR frame.</param>
internal sealed record TrainingSequence(string Name, IReadOnlyList<string> HighResolution, IReadOnlyList<string> LowResolution)
{
    /// <summary>Frames in the sequence.</summary>
    public int FrameCount => HighResolution.Count;
}
