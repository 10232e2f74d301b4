using Microsoft.Extensions.Logging.Abstractions;
using StableVsr.IO;
using StableVsr.Sampling.Jobs;
using StableVsr.Sampling.Pipeline;
using StableVsr.Sampling.Resume;
using StableVsr.Sampling.Segments;

namespace StableVsr.Tests.Support;

/// <summary>
/// The job layer's commit path (<see cref="ResumableRun"/>) over any source and sink, for tests that watch what a sink
/// is given (every write, every commit) rather than go through paths.
/// </summary>
internal static class ResumableRuns
{
    /// <summary>The whole sequence of <paramref name="source"/> into <paramref name="sink"/>, journaled in <paramref name="workFolder"/> when given.</summary>
    public static Task<int> UpscaleResumableAsync(
        this StableVsrPipeline pipeline, IFrameSource source, IFrameSink sink, string? workFolder = null, ResumeMode mode = ResumeMode.New, IProgress<UpscaleProgress>? progress = null, CancellationToken cancellationToken = default) =>
        ResumableRun.RunAsync(pipeline, source, sink, null, workFolder, mode, progress, null, NullLogger.Instance, cancellationToken);

    /// <summary>Frames <paramref name="range"/> of <paramref name="source"/> into <paramref name="sink"/>, journaled in <paramref name="workFolder"/> when given.</summary>
    public static Task<int> UpscaleRangeAsync(
        this StableVsrPipeline pipeline, IFrameSource source, IFrameSink sink, SequenceRange range, string? workFolder = null, ResumeMode mode = ResumeMode.New, IProgress<UpscaleProgress>? progress = null, CancellationToken cancellationToken = default) =>
        ResumableRun.RunAsync(pipeline, source, sink, range, workFolder, mode, progress, null, NullLogger.Instance, cancellationToken);
}
