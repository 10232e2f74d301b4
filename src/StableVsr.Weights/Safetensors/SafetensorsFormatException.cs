namespace StableVsr.Weights.Safetensors;

/// <summary>A <c>.safetensors</c> file breaks the format: its header or data layout is invalid.</summary>
public class SafetensorsFormatException : CheckpointFormatException
{
    /// <summary>Creates the exception for <paramref name="path"/>; <paramref name="problem"/> says what is wrong.</summary>
    public SafetensorsFormatException(string path, string problem, Exception? innerException = null)
        : base(path, problem, innerException)
    {
    }
}
