namespace StableVsr.Weights.Pickle;

/// <summary>
/// A pickle ran past the end of the bytes it was given. For a file read in pieces this means "read more"; when the
/// whole file was given, the file is truncated.
/// </summary>
internal sealed class TruncatedPickleException : CheckpointFormatException
{
    /// <summary>Creates the exception for <paramref name="path"/>; <paramref name="problem"/> says where the pickle ends.</summary>
    public TruncatedPickleException(string path, string problem)
        : base(path, problem)
    {
    }
}
