namespace StableVsr.Weights;

/// <summary>
/// A checkpoint file is corrupt, truncated, or not in the format its name promises. The message names the
/// file and the problem; <see cref="ModelLoadException.Path"/> holds the file.
/// </summary>
public class CheckpointFormatException : ModelLoadException
{
    /// <summary>Creates the exception for <paramref name="path"/>; <paramref name="problem"/> says what is wrong.</summary>
    public CheckpointFormatException(string path, string problem, Exception? innerException = null)
        : base($"Checkpoint '{path}' cannot be read: {problem} The file is damaged or not a supported checkpoint; download or convert it again.", path, innerException)
    {
        Problem = problem;
    }

    /// <summary>The problem alone, without the file name and advice.</summary>
    public string Problem { get; }
}
