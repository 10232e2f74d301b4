using Microsoft.Extensions.Logging;
using StableVsr.IO;
using StableVsr.Sampling.Pipeline;
using StableVsr.Sampling.Resume;
using StableVsr.Sampling.Segments;

namespace StableVsr.Cli.Commands;

/// <summary>
/// <c>stablevsr upscale --max-segment-frames N [--segment-overlap K] [--scene-cuts]</c>: one sequence split into segments
/// exactly as a cluster job with the same options splits it, upscaled one segment after the other in this process, so
/// a split cluster job can be reproduced (and checked) byte for byte. Each segment keeps its own journal in
/// <c>.stablevsr/segment-START-END</c> inside the output folder and leaves a <c>done-START-END</c> marker there when it
/// finishes; <c>--resume</c> skips the finished segments and continues the interrupted one from its journal.
/// </summary>
internal static class SegmentedUpscale
{
    /// <summary>Plans the sequence's segments and upscales them in order into its output folder.</summary>
    public static async Task RunAsync(StableVsrPipeline pipeline, SequencePlan plan, RunSettings run, SegmentOptions segmenting, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        IReadOnlyList<SequenceRange> ranges;
        await using (var survey = Open(plan, loggerFactory))
        {
            ranges = SegmentPlanner.Plan(await SegmentPlanner.SurveyAsync(survey, segmenting, cancellationToken).ConfigureAwait(false), segmenting);
        }

        if (ranges.Count == 1)
        {
            // Not split: the plain run, as a cluster job runs a sequence planned as one segment.
            await UpscaleCommand.UpscaleOneAsync(pipeline, plan, run, VideoEncodeOptions.Default, loggerFactory, cancellationToken).ConfigureAwait(false);
            return;
        }

        var journals = plan.JournalFolder;
        if (run.Mode == ResumeMode.Restart && Directory.Exists(journals))
        {
            Directory.Delete(journals, recursive: true);
        }

        Console.Error.WriteLine($"{Path.GetFileName(plan.Input)}: {ranges.Count} segments: {string.Join(", ", ranges)}");
        var sink = new ImageFolderSink(plan.Output);
        foreach (var range in ranges)
        {
            var name = $"{range.Start:D6}-{range.End:D6}";
            var done = Path.Combine(journals, $"done-{name}");
            if (run.Mode == ResumeMode.Resume && File.Exists(done))
            {
                continue;
            }

            await using var source = Open(plan, loggerFactory);
            var bar = new ConsoleProgressBar(Console.Error, !Console.IsErrorRedirected, $"{Path.GetFileName(plan.Input)} {range}", range.End);
            await pipeline.UpscaleRangeAsync(source, sink, range, new JournalOptions(Path.Combine(journals, $"segment-{name}"), run.Mode), bar, cancellationToken).ConfigureAwait(false);
            Directory.CreateDirectory(journals);
            await File.WriteAllTextAsync(done, range.ToString(), cancellationToken).ConfigureAwait(false);
        }

        Directory.Delete(journals, recursive: true);
        Console.Error.WriteLine($"wrote {ranges[^1].End} frame(s) to {plan.Output}");
    }

    private static IFrameSource Open(SequencePlan plan, ILoggerFactory loggerFactory) =>
        plan.InputIsVideo ? new VideoFileSource(plan.Input, loggerFactory.CreateLogger<VideoFileSource>()) : new ImageFolderSource(plan.Input);
}
