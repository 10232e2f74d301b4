using Microsoft.Extensions.Logging;
using StableVsr.IO;
using StableVsr.Sampling.Resume;
using StableVsr.Sampling.Segments;

namespace StableVsr.Sampling.Jobs;

/// <summary>
/// The plan phase of a job: every check that can be made before a journal or an output exists, so a job that cannot
/// run is refused with nothing left behind. (Checks added later — input frames' sizes and decodability, the expected
/// memory — belong here too.)
/// </summary>
internal static class JobPlanner
{
    /// <summary>Checks and resolves <paramref name="job"/>.</summary>
    /// <exception cref="InvalidInputException">The job cannot run as asked; the message says why and what to do.</exception>
    public static async Task<UpscaleJobPlan> PlanAsync(UpscaleJob job, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        job.Validate();
        var input = Path.GetFullPath(job.Input).TrimEnd(Path.DirectorySeparatorChar);
        var output = Path.GetFullPath(job.Output).TrimEnd(Path.DirectorySeparatorChar);
        if (!File.Exists(input) && !Directory.Exists(input))
        {
            throw new InvalidInputException($"The input '{job.Input}' does not exist: give a video file or a folder of PNG/JPEG/BMP frames.");
        }

        if (string.Equals(input, output, StringComparison.Ordinal))
        {
            throw new InvalidInputException($"The output '{job.Output}' is the input: upscaled frames would replace the frames being read. Give another output.");
        }

        var inputIsVideo = File.Exists(input);
        var outputIsVideo = MediaPaths.IsVideoOutput(output);
        var splits = job.Segments is { Splits: true };
        if (splits && outputIsVideo)
        {
            throw new InvalidInputException(
                $"Splitting a sequence into segments (--max-segment-frames, --scene-cuts) is for frame-folder outputs, and '{job.Output}' is a video: give a folder output (PNG frames), or leave out the splitting.");
        }

        var workFolder = job.WorkFolder is { } given ? Path.GetFullPath(given) : UpscaleJob.DefaultWorkFolder(output);
        var outputExists = outputIsVideo ? File.Exists(output) : ImageFolderSource.HoldsFrames(output);
        if (outputExists && !Directory.Exists(workFolder))
        {
            if (job.Resume == ResumeMode.Resume)
            {
                return new UpscaleJobPlan(job, input, output, inputIsVideo, outputIsVideo, workFolder, outputIsVideo ? null : CountPngs(output), isComplete: true, []);
            }

            if (!job.Overwrite)
            {
                var what = outputIsVideo ? "exists" : "already holds frames";
                throw new InvalidInputException($"The output '{job.Output}' {what}. Pass --overwrite (UpscaleJob.Overwrite) to replace it, or give another output.");
            }
        }

        var source = MediaPaths.OpenSource(input, loggerFactory);
        await using (source.ConfigureAwait(false))
        {
            if (job.Range is { } range)
            {
                return new UpscaleJobPlan(job, input, output, inputIsVideo, outputIsVideo, workFolder, range.Count, isComplete: false, []);
            }

            if (splits)
            {
                var segments = await SegmentPlanner.PlanAsync(source, job.Segments!, cancellationToken).ConfigureAwait(false);
                return new UpscaleJobPlan(job, input, output, inputIsVideo, outputIsVideo, workFolder, segments[^1].End, isComplete: false, segments.Count > 1 ? segments : []);
            }

            var frames = await source.CountFramesAsync(cancellationToken).ConfigureAwait(false);
            return new UpscaleJobPlan(job, input, output, inputIsVideo, outputIsVideo, workFolder, frames, isComplete: false, []);
        }
    }

    private static int CountPngs(string folder) => Directory.EnumerateFiles(folder, "*.png").Count(f => !Path.GetFileName(f).StartsWith('.'));
}
