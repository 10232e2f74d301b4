namespace StableVsr.Weights;

/// <summary>
/// A checkpoint file is corrupt, truncated, or not in the format its name promises. The message names the
/// file and the problem; <see cref="ModelLoadException.Path"/> holds the file.
/// </summary>
public class CheckpointFormatException : ModelLoadException
{
    private const string DefaultAdvice = "The file is damaged or not a supported checkpoint; download or convert it again.";

    /// <summary>Creates the exception for <paramref name="path"/>; <paramref name="problem"/> says what is wrong.</summary>
    public CheckpointFormatException(string path, string problem)
        : this(path, problem, DefaultAdvice, null)
    {
    }

    /// <summary>Creates the exception for <paramref name="path"/> with the error that revealed the problem.</summary>
    public CheckpointFormatException(string path, string problem, Exception? innerException)
        : this(path, problem, DefaultAdvice, innerException)
    {
    }

    /// <summary>Creates the exception with advice of its own, for subclasses whose remedy differs.</summary>
    protected CheckpointFormatException(string path, string problem, string advice, Exception? innerException)
        : base($"Checkpoint '{path}' cannot be read: {problem} {advice}", path, innerException)
    {
        Problem = problem;
    }

    /// <summary>The problem alone, without the file name and advice.</summary>
    public string Problem { get; }
}
