using StableVsr.Sampling.Segments;

namespace StableVsr.Sampling.Jobs;

/// <summary>
/// A checked job, resolved before anything is written (<see cref="UpscaleJobRunner.PlanAsync"/>): absolute paths,
/// what the input and output are, where the journal lives, how many frames the output will hold when that is known
/// cheaply, whether the output is already complete, and the segments of a split sequence.
/// </summary>
public sealed class UpscaleJobPlan
{
    internal UpscaleJobPlan(UpscaleJob job, string input, string output, bool inputIsVideo, bool outputIsVideo, string workFolder, int? frameCount, bool isComplete, IReadOnlyList<SequenceRange> segments)
    {
        Job = job;
        Input = input;
        Output = output;
        InputIsVideo = inputIsVideo;
        OutputIsVideo = outputIsVideo;
        WorkFolder = workFolder;
        FrameCount = frameCount;
        IsComplete = isComplete;
        Segments = segments;
    }

    /// <summary>The job as given.</summary>
    public UpscaleJob Job { get; }

    /// <summary>The input, absolute.</summary>
    public string Input { get; }

    /// <summary>The output, absolute.</summary>
    public string Output { get; }

    /// <summary>Whether the input is a video file (else a folder of frames).</summary>
    public bool InputIsVideo { get; }

    /// <summary>Whether the output is a video file (else a folder of PNG frames).</summary>
    public bool OutputIsVideo { get; }

    /// <summary>Where the job's journal (and a video output's committed segments) are kept until it completes.</summary>
    public string WorkFolder { get; }

    /// <summary>The frames the output holds once the job is done, when known without decoding; null otherwise.</summary>
    public int? FrameCount { get; }

    /// <summary>
    /// Whether the output is already complete (it exists and no journal says otherwise) and the job asked to resume: then
    /// running it does nothing.
    /// </summary>
    public bool IsComplete { get; }

    /// <summary>The segments the sequence is split into, in frame order (see <see cref="UpscaleJob.Segments"/>); empty when it runs whole.</summary>
    public IReadOnlyList<SequenceRange> Segments { get; }
}
