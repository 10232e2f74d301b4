using Microsoft.Extensions.Logging;
using StableVsr.IO;
using StableVsr.Sampling.Resume;
using StableVsr.Sampling.Segments;

namespace StableVsr.Sampling.Jobs;

/// <summary>
/// The plan phase of a job: every check that can be made before a journal or an output exists, so a job that cannot
/// run is refused with nothing left behind: the paths, another live run on the output or journal folder
/// (<see cref="OutputLock"/>), the encoding options of a video output, and the input's frames (every image header of a
/// folder: count, size, format, cut-short files; a video's probe). The expected memory of the run needs the run's options
/// and device and is checked by the runner (<see cref="MemoryEstimate"/>) before it claims the output.
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
        foreach (var (target, what) in UpscaleJobPlan.ClaimsOf(output, workFolder))
        {
            OutputLock.ThrowIfHeld(target, what);
        }

        if (outputIsVideo)
        {
            var encoding = job.Encoding ?? VideoEncodeOptions.Default;
            EncodeSettings.From(encoding, encoding.FrameRate ?? new VideoRational(30, 1));
        }

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
            var (width, height, frames) = await SurveyAsync(source, cancellationToken).ConfigureAwait(false);
            if (job.Range is { } range)
            {
                return new UpscaleJobPlan(job, input, output, inputIsVideo, outputIsVideo, workFolder, range.Count, isComplete: false, []) { FrameWidth = width, FrameHeight = height };
            }

            if (splits)
            {
                var segments = await SegmentPlanner.PlanAsync(source, job.Segments!, cancellationToken).ConfigureAwait(false);
                return new UpscaleJobPlan(job, input, output, inputIsVideo, outputIsVideo, workFolder, segments[^1].End, isComplete: false, segments.Count > 1 ? segments : [])
                {
                    FrameWidth = width,
                    FrameHeight = height,
                };
            }

            return new UpscaleJobPlan(job, input, output, inputIsVideo, outputIsVideo, workFolder, frames, isComplete: false, []) { FrameWidth = width, FrameHeight = height };
        }
    }

    // The frame size and count without decoding pixels: every image header of a folder, a video's probe.
    private static async Task<(int Width, int Height, int? Frames)> SurveyAsync(IFrameSource source, CancellationToken cancellationToken)
    {
        switch (source)
        {
            case ImageFolderSource folder:
                var (width, height, count) = ImageFolderSource.SurveyFrames(folder.Folder);
                return (width, height, count);
            case VideoFileSource video:
                var info = await video.ProbeAsync(cancellationToken).ConfigureAwait(false);
                var turned = Math.Abs(info.Rotation) % 180 == 90;
                return (turned ? info.Height : info.Width, turned ? info.Width : info.Height, info.FrameCount);
            default:
                return (0, 0, await source.CountFramesAsync(cancellationToken).ConfigureAwait(false));
        }
    }

    private static int CountPngs(string folder) => Directory.EnumerateFiles(folder, "*.png").Count(f => !Path.GetFileName(f).StartsWith('.'));
}
