using Microsoft.Extensions.Logging;
using StableVsr.IO;
using StableVsr.Sampling.Noise;
using StableVsr.Sampling.Pipeline;
using StableVsr.Sampling.Resume;
using StableVsr.Sampling.Segments;

namespace StableVsr.Sampling.Jobs;

/// <summary>
/// What a job does with a journal already in its work folder, per <see cref="ResumeMode"/>: refuse it (a new run),
/// discard it with what its run wrote (a restart), or continue after its committed frames when it is the journal of this
/// very run (same input, model and output-changing options); and where the sequence then stands.
/// </summary>
internal static partial class JournalPolicy
{
    /// <summary>
    /// Opens, creates or discards the journal in <paramref name="workFolder"/> as <paramref name="mode"/> asks, prepares the
    /// sink, and returns the journal (null without a work folder) and where the sequence stands. A range starts at its
    /// first warm-up frame with no carry: windows are counted from there.
    /// </summary>
    /// <exception cref="InvalidInputException">A journal is there and <paramref name="mode"/> is New, or it is from another run, damaged or newer.</exception>
    public static async Task<(UpscaleJournal? Journal, SequenceState State)> OpenAsync(
        StableVsrPipeline pipeline, IFrameSource source, IFrameSink sink, string? workFolder, ResumeMode mode, SequenceRange? range, ILogger logger, CancellationToken cancellationToken)
    {
        var sampling = pipeline.Options.Sampling;
        var noise = new SeededNoiseSource(sampling.Seed);
        var firstFrame = range?.FirstSampled ?? 0;
        if (workFolder is null)
        {
            return (null, new SequenceState(noise, firstFrame));
        }

        var identity = JournalIdentity.For(sampling, pipeline.Models, source.Description, await source.FingerprintAsync(cancellationToken).ConfigureAwait(false), range);
        if (UpscaleJournal.Exists(workFolder))
        {
            switch (mode)
            {
                case ResumeMode.New:
                    throw new InvalidInputException(
                        $"An interrupted run of '{sink.Description}' left its journal in '{workFolder}': resume it (--resume, ResumeMode.Resume) or start over (--restart, ResumeMode.Restart).");
                case ResumeMode.Restart:
                    LogRestarting(logger, workFolder);
                    UpscaleJournal.Delete(workFolder);
                    await sink.ResumeAsync(0, cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    var existing = UpscaleJournal.Open(workFolder);
                    var differences = existing.Identity.Differences(identity);
                    if (differences.Count > 0)
                    {
                        throw new InvalidInputException(
                            $"The journal in '{workFolder}' is from another run, so resuming would not give its output: {string.Join("; ", differences)}. " +
                            "Run with the same input, model and options, or start over with --restart (ResumeMode.Restart).");
                    }

                    if (range is null && sink is VideoFileSink video && video.IntactFrames(existing.CommittedFrames) is var intact && intact < existing.CommittedFrames)
                    {
                        // A committed segment was damaged on disk. Its window can be sampled again when it needs no carried
                        // guidance (windows sampled independently, or the sequence's first window): resume from there.
                        if (sampling.GuideAcrossWindows && intact > 0)
                        {
                            throw new InvalidInputException(
                                $"A committed segment of '{sink.Description}' in '{workFolder}' is damaged on disk (frames from {intact} on); it cannot be sampled again without the guidance " +
                                "carried from the window before it, which the journal no longer holds. Start over with --restart (ResumeMode.Restart).");
                        }

                        LogRemaking(logger, intact, workFolder);
                        existing.Commit(intact, null);
                    }

                    var carry = existing.LoadCarry(pipeline.StateDevice ?? pipeline.Models.Device);
                    await sink.ResumeAsync(existing.CommittedFrames, cancellationToken).ConfigureAwait(false);
                    LogResuming(logger, existing.CommittedFrames, workFolder);
                    return (existing, new SequenceState(noise, existing.CommittedFrames, sampling.GuideAcrossWindows ? carry : null));
            }
        }

        return (UpscaleJournal.Create(workFolder, identity), new SequenceState(noise, firstFrame));
    }

    [LoggerMessage(EventId = LoggerEventIds.JobResuming, Level = LogLevel.Information, Message = "Resuming after {Frames} committed frame(s), journal in {Folder}")]
    private static partial void LogResuming(ILogger logger, int frames, string folder);

    [LoggerMessage(EventId = LoggerEventIds.JobRemaking, Level = LogLevel.Warning, Message = "A committed segment is damaged on disk: sampling again from frame {Frame} (journal in {Folder})")]
    private static partial void LogRemaking(ILogger logger, int frame, string folder);

    [LoggerMessage(EventId = LoggerEventIds.JobRestarting, Level = LogLevel.Information, Message = "Discarding the journal in {Folder} and starting over")]
    private static partial void LogRestarting(ILogger logger, string folder);
}
