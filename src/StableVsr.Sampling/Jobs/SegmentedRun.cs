using Microsoft.Extensions.Logging;
using StableVsr.IO;
using StableVsr.Sampling.Pipeline;
using StableVsr.Sampling.Resume;

namespace StableVsr.Sampling.Jobs;

/// <summary>
/// A sequence split into segments exactly as a cluster job with the same options splits it, upscaled one segment after
/// the other into one frame folder, so a split cluster job can be reproduced (and checked) byte for byte in one process.
/// Each segment keeps its own journal in <c>segment-START-END</c> inside the job's work folder and leaves a
/// <c>done-START-END</c> marker there when it finishes; a resume skips the finished segments and continues the
/// interrupted one from its journal.
/// </summary>
internal static partial class SegmentedRun
{
    /// <summary>Upscales the plan's segments in order into its output folder; returns the frames the output holds.</summary>
    /// <exception cref="InvalidInputException">As a whole run; or a segment's journal is refused.</exception>
    /// <exception cref="UpscaleCanceledException">The token was cancelled; finished segments and the current one's committed windows stay.</exception>
    public static async Task<int> RunAsync(
        StableVsrPipeline pipeline, UpscaleJobPlan plan, IProgress<UpscaleProgress>? progress, Func<int, CancellationToken, Task>? committed, ILoggerFactory loggerFactory, ILogger logger, CancellationToken cancellationToken)
    {
        var mode = plan.Job.Resume;
        var journals = plan.WorkFolder;
        if (mode == ResumeMode.Restart && Directory.Exists(journals))
        {
            Directory.Delete(journals, recursive: true);
        }

        LogSegmented(logger, plan.Input, plan.Segments.Count, string.Join(", ", plan.Segments));
        var sink = new ImageFolderSink(plan.Output);
        await using (sink.ConfigureAwait(false))
        {
            var done = 0;
            foreach (var range in plan.Segments)
            {
                var name = $"{range.Start:D6}-{range.End:D6}";
                var marker = Path.Combine(journals, $"done-{name}");
                if (mode == ResumeMode.Resume && File.Exists(marker))
                {
                    done += range.Count;
                    continue;
                }

                var source = MediaPaths.OpenSource(plan.Input, loggerFactory);
                await using (source.ConfigureAwait(false))
                {
                    var before = done;
                    Func<int, CancellationToken, Task>? segmentCommitted = committed is null ? null : (frames, token) => committed(before + frames, token);
                    done += await ResumableRun.RunAsync(pipeline, source, sink, range, Path.Combine(journals, $"segment-{name}"), mode, progress, segmentCommitted, logger, cancellationToken).ConfigureAwait(false);
                }

                Directory.CreateDirectory(journals);
                await File.WriteAllTextAsync(marker, range.ToString(), cancellationToken).ConfigureAwait(false);
            }
        }

        Directory.Delete(journals, recursive: true);
        return plan.Segments[^1].End;
    }

    [LoggerMessage(EventId = LoggerEventIds.JobSegmented, Level = LogLevel.Information, Message = "{Input}: {Count} segments: {Segments}")]
    private static partial void LogSegmented(ILogger logger, string input, int count, string segments);
}
