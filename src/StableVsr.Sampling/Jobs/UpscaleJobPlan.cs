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

    /// <summary>The input's frame width (after rotation), from its headers or probe; 0 when not surveyed (a complete output).</summary>
    internal int FrameWidth { get; init; }

    /// <summary>The input's frame height (after rotation); 0 when not surveyed.</summary>
    internal int FrameHeight { get; init; }

    /// <summary>What a run of this plan claims (see <see cref="OutputLock"/>): the output, and the journal folder when it is not the output's own.</summary>
    internal static IReadOnlyList<(string Target, string What)> ClaimsOf(string output, string workFolder)
    {
        var own = UpscaleJob.DefaultWorkFolder(output);
        return string.Equals(Path.GetFullPath(own), Path.GetFullPath(workFolder), StringComparison.Ordinal)
            ? [(own, $"The output '{output}'")]
            : [(own, $"The output '{output}'"), (workFolder, $"The journal folder '{workFolder}'")];
    }

    /// <summary>Claims the output and the journal folder for a run (<see cref="OutputLock.Acquire"/>); dispose to release.</summary>
    /// <exception cref="InvalidInputException">Another live run holds one of them.</exception>
    internal IDisposable Claim()
    {
        var held = new List<OutputLock>();
        try
        {
            foreach (var (target, what) in ClaimsOf(Output, WorkFolder))
            {
                held.Add(OutputLock.Acquire(target, what));
            }
        }
        catch
        {
            held.ForEach(h => h.Dispose());
            throw;
        }

        return new OutputClaims(held);
    }
}
