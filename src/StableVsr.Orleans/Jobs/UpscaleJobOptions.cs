using StableVsr.IO;
using StableVsr.Sampling.Segments;

namespace StableVsr.Orleans;

/// <summary>
/// What a job asks of every segment: the options that change the output (<see cref="Sampling"/>, the one definition
/// the single-process journal uses too), the encoding of video outputs, and how sequences are split. Where and how the
/// work runs (device, precision, threads) belong to each worker; a job's segments all run on workers that report the
/// same model fingerprint (model files and precision).
/// </summary>
[GenerateSerializer, Immutable, Alias("StableVsr.UpscaleJobOptions")]
public sealed record UpscaleJobOptions
{
    /// <summary>The defaults: <see cref="SamplingOptions.Default"/>, H.264 video at its default quality, 3 attempts, no splitting. A new instance on each call.</summary>
    public static UpscaleJobOptions Default => new();

    /// <summary>Steps, seed, scheduler, prompt, flow and window settings of every segment. Default <see cref="SamplingOptions.Default"/>.</summary>
    [Id(0)]
    public SamplingOptions Sampling { get; init; } = SamplingOptions.Default;

    /// <summary>Codec of video outputs. Default <see cref="VideoCodec.H264"/>.</summary>
    [Id(1)]
    public VideoCodec Codec { get; init; } = VideoCodec.H264;

    /// <summary>Quality of H.264/H.265 outputs (0-51, lower is better); null takes the codec's default (18 / 22).</summary>
    [Id(2)]
    public int? Crf { get; init; }

    /// <summary>
    /// How many times a segment is started before the job gives up on it (a start interrupted by a worker's death
    /// counts; the next start continues from the segment's journal). Default 3.
    /// </summary>
    [Id(3)]
    public int MaxAttempts { get; init; } = 3;

    /// <summary>
    /// The most output frames of one segment: a longer shot is split into segments that run on several workers at once,
    /// each warmed up with <see cref="SegmentOverlap"/> frames before it. Null (the default) keeps every sequence one
    /// segment. Splitting is for frame-folder outputs; a job that asks for it with a video output is refused.
    /// </summary>
    [Id(4)]
    public int? MaxSegmentFrames { get; init; }

    /// <summary>
    /// Warm-up frames of a segment that starts inside a shot: sampled with the guidance carried through them but not
    /// written, so its first frame starts with carried temporal guidance. Default <see cref="SegmentOptions.Overlap"/>
    /// of <see cref="SegmentOptions.None"/> (2, chosen by the segment-border measurement in docs/cluster.md).
    /// </summary>
    [Id(5)]
    public int SegmentOverlap { get; init; } = SegmentOptions.None.Overlap;

    /// <summary>Whether scene cuts (found on the LR frames when the job is submitted) start new segments, with no warm-up. Default false.</summary>
    [Id(6)]
    public bool SplitAtSceneCuts { get; init; }

    /// <summary>Checks the values.</summary>
    /// <exception cref="InvalidInputException">A value is out of range; the message says which.</exception>
    public void Validate()
    {
        if (Sampling is null)
        {
            throw new InvalidInputException("UpscaleJobOptions.Sampling must not be null: use SamplingOptions.Default.");
        }

        Sampling.Validate();
        if (MaxAttempts < 1)
        {
            throw new InvalidInputException($"UpscaleJobOptions.MaxAttempts must be at least 1 (got {MaxAttempts}).");
        }

        ToSegmentOptions().Validate();
        if (Crf is < 0 or > 51)
        {
            throw new InvalidInputException($"UpscaleJobOptions.Crf must be between 0 and 51 (got {Crf}).");
        }
    }

    /// <summary>How this job splits its sequences into segments.</summary>
    internal SegmentOptions ToSegmentOptions() => SegmentOptions.None with
    {
        MaxSegmentFrames = MaxSegmentFrames,
        Overlap = SegmentOverlap,
        SplitAtSceneCuts = SplitAtSceneCuts,
    };

    /// <summary>The video encoding of this job's video outputs.</summary>
    internal VideoEncodeOptions ToEncodeOptions() => VideoEncodeOptions.Default with { Codec = Codec, Crf = Crf };
}
