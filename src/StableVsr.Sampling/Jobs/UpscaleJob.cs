using StableVsr.IO;
using StableVsr.Sampling.Resume;
using StableVsr.Sampling.Segments;

namespace StableVsr.Sampling.Jobs;

/// <summary>
/// One sequence to upscale, from a path to a path: a video file or a folder of frames in, a video file (by its
/// extension, see <see cref="MediaPaths"/>) or a folder of PNGs out, with what to do about an earlier run's output or
/// journal. <see cref="UpscaleJobRunner.PlanAsync"/> checks and resolves it before anything is written;
/// <see cref="UpscaleJobRunner.RunAsync(UpscaleJobPlan, IProgress{UpscaleProgress}?, Func{int, CancellationToken, Task}?, CancellationToken)"/>
/// runs it resumably.
/// </summary>
public sealed record UpscaleJob
{
    /// <summary>A job from <paramref name="input"/> to <paramref name="output"/> with the defaults (a new run, nothing replaced).</summary>
    /// <param name="input">A video file or a folder of PNG/JPEG/BMP frames.</param>
    /// <param name="output">A video file (.mp4, .m4v, .mov, .mkv) or a folder for PNG frames.</param>
    public UpscaleJob(string input, string output)
    {
        ArgumentException.ThrowIfNullOrEmpty(input);
        ArgumentException.ThrowIfNullOrEmpty(output);
        Input = input;
        Output = output;
    }

    /// <summary>A video file or a folder of PNG/JPEG/BMP frames.</summary>
    public string Input { get; init; }

    /// <summary>A video file (by its extension) or a folder for PNG frames.</summary>
    public string Output { get; init; }

    /// <summary>
    /// What to do with the journal of an interrupted run of the same output. Default <see cref="ResumeMode.New"/> (a
    /// journal there is refused); with <see cref="ResumeMode.Resume"/>, an output that is already complete is skipped.
    /// </summary>
    public ResumeMode Resume { get; init; } = ResumeMode.New;

    /// <summary>Whether a complete output already there may be replaced. Default false: it is refused.</summary>
    public bool Overwrite { get; init; }

    /// <summary>
    /// How a video output is encoded; null takes <see cref="VideoEncodeOptions.Default"/>. The input video is the
    /// output's source video (audio, subtitles, metadata) unless <see cref="VideoEncodeOptions.SourceVideo"/> names another.
    /// </summary>
    public VideoEncodeOptions? Encoding { get; init; }

    /// <summary>
    /// Only these frames of the input (a segment of a sequence split across workers), warmed up as the range says and
    /// written under their sequence-wide index; null (the default) upscales the whole sequence.
    /// </summary>
    public SequenceRange? Range { get; init; }

    /// <summary>
    /// Splits the sequence into segments as a cluster job with these options would, and runs them one after the other
    /// (each resumable on its own), so a split cluster job can be reproduced byte for byte in one process. Frame-folder
    /// outputs only; null (the default), or options that split nothing, run the sequence whole.
    /// </summary>
    public SegmentOptions? Segments { get; init; }

    /// <summary>Where the journal (and a video output's committed segments) are kept; null (the default) takes <see cref="DefaultWorkFolder"/>.</summary>
    public string? WorkFolder { get; init; }

    /// <summary>
    /// The journal folder of an output: <c>.stablevsr</c> inside an output folder, or the hidden folder
    /// <c>.NAME.stablevsr</c> beside an output video.
    /// </summary>
    public static string DefaultWorkFolder(string output)
    {
        ArgumentException.ThrowIfNullOrEmpty(output);
        var full = Path.GetFullPath(output).TrimEnd(Path.DirectorySeparatorChar);
        return MediaPaths.IsVideoOutput(full)
            ? Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.stablevsr")
            : Path.Combine(full, ".stablevsr");
    }

    /// <summary>
    /// The jobs of an input: one for a video file or a folder of frames; one per sequence for a folder of sequences
    /// (subfolders of frames and video files, as StableVSR's test script takes them), each written into
    /// <paramref name="output"/> under its own name (a video keeps its container, or .mkv for
    /// <see cref="VideoCodec.Ffv1"/>). Paths come back absolute; sequences in natural name order.
    /// </summary>
    /// <exception cref="InvalidInputException">The input does not exist, is a file that is not a video, or holds no sequence; or a folder of sequences is given a video output.</exception>
    public static IReadOnlyList<UpscaleJob> Discover(string input, string output, VideoCodec codec) =>
        SequenceDiscovery.Find(Path.GetFullPath(input), Path.GetFullPath(output), codec);

    /// <summary>
    /// The jobs of several inputs: one input is discovered as <see cref="Discover(string, string, VideoCodec)"/> does; with
    /// several, each goes into the output folder under its own name (a video as NAME.mp4, or NAME.mkv for FFV1).
    /// </summary>
    /// <exception cref="InvalidInputException">No input, or one that <see cref="Discover(string, string, VideoCodec)"/> refuses.</exception>
    public static IReadOnlyList<UpscaleJob> Discover(IReadOnlyList<string> inputs, string output, VideoCodec codec)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count == 0)
        {
            throw new InvalidInputException("No input was given: give a video, a folder of frames or a folder of sequences.");
        }

        if (inputs.Count == 1)
        {
            return Discover(inputs[0], output, codec);
        }

        return inputs.SelectMany(i =>
        {
            var input = Path.GetFullPath(i).TrimEnd(Path.DirectorySeparatorChar);
            var name = File.Exists(input) ? Path.GetFileNameWithoutExtension(input) + (codec == VideoCodec.Ffv1 ? ".mkv" : ".mp4") : Path.GetFileName(input);
            return Discover(input, Path.Combine(Path.GetFullPath(output), name), codec);
        }).ToArray();
    }

    /// <summary>Checks the job's own values (paths and the input are checked when it is planned).</summary>
    /// <exception cref="InvalidInputException">A range and segments are both given, or the segment options are invalid.</exception>
    internal void Validate()
    {
        if (Range is not null && Segments is { Splits: true })
        {
            throw new InvalidInputException("A job either upscales one frame range (UpscaleJob.Range) or splits its sequence into segments (UpscaleJob.Segments), not both.");
        }

        Segments?.Validate();
    }
}
