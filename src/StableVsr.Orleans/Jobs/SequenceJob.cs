namespace StableVsr.Orleans;

/// <summary>One sequence of a job: where its LR frames are and where its 4x output goes, both on shared storage.</summary>
/// <remarks>
/// Paths are absolute and must name the same place on every worker (mount the share at the same path everywhere):
/// frames move through the files, never through grain messages.
/// </remarks>
[GenerateSerializer, Immutable, Alias("StableVsr.SequenceJob")]
public sealed record SequenceJob
{
    /// <summary>Creates a sequence job.</summary>
    /// <param name="input">A folder of frames (PNG/JPEG/BMP) or a video file.</param>
    /// <param name="output">A folder for PNG frames, or a video file (.mp4, .m4v, .mov, .mkv) by its extension.</param>
    public SequenceJob(string input, string output)
    {
        Input = input;
        Output = output;
    }

    /// <summary>A folder of frames (PNG/JPEG/BMP) or a video file.</summary>
    [Id(0)]
    public string Input { get; init; }

    /// <summary>A folder for PNG frames, or a video file (.mp4, .m4v, .mov, .mkv) by its extension.</summary>
    [Id(1)]
    public string Output { get; init; }
}
