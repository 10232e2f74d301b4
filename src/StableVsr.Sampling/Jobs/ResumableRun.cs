using System.Diagnostics;
using Microsoft.Extensions.Logging;
using StableVsr.IO;
using StableVsr.Sampling.Pipeline;
using StableVsr.Sampling.Resume;
using StableVsr.Sampling.Segments;

namespace StableVsr.Sampling.Jobs;

/// <summary>
/// A source upscaled into a sink window by window with a journal: the one commit path. After each window the sink
/// commits (its frames made durable), then the journal records the frames committed and the carry the next window
/// needs, then the caller hears of it; after a crash between the first two, the sink holds more than the journal says and
/// a resume discards the extra frames. The journal goes once the output is complete.
/// </summary>
internal static class ResumableRun
{
    /// <summary>Runs the whole sequence (<paramref name="range"/> null) or a range of it; returns the frames the output holds.</summary>
    /// <param name="pipeline">Samples the windows.</param>
    /// <param name="source">The LR frames of the whole sequence.</param>
    /// <param name="sink">Where the (range's) upscaled frames go.</param>
    /// <param name="range">The frames to output and the warm-up before them; null for the whole sequence.</param>
    /// <param name="workFolder">The journal's folder; null runs without one (not resumable).</param>
    /// <param name="mode">What to do with a journal already there.</param>
    /// <param name="progress">Receives progress reports; frames are numbered in the whole sequence.</param>
    /// <param name="committed">Awaited after each durable commit with the frames the output holds; it may cancel the run.</param>
    /// <param name="logger">Logging.</param>
    /// <param name="cancellationToken">Stops the run within one denoising step; committed windows stay resumable.</param>
    /// <exception cref="InvalidInputException">The input is empty, corrupt or of mixed sizes, a frame cannot be written, or the journal is refused (see <see cref="JournalPolicy"/>).</exception>
    /// <exception cref="UpscaleCanceledException">The token was cancelled.</exception>
    public static async Task<int> RunAsync(
        StableVsrPipeline pipeline,
        IFrameSource source,
        IFrameSink sink,
        SequenceRange? range,
        string? workFolder,
        ResumeMode mode,
        IProgress<UpscaleProgress>? progress,
        Func<int, CancellationToken, Task>? committed,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        if (range is not null)
        {
            source = new RangeFrameSource(source, range);
            sink = new RangeFrameSink(sink, range);
        }

        var clock = Stopwatch.StartNew();
        var (journal, state) = await JournalPolicy.OpenAsync(pipeline, source, sink, workFolder, mode, range, logger, cancellationToken).ConfigureAwait(false);
        var firstOutput = range?.Start ?? 0;
        using (state)
        {
            var written = state.NextFrame;
            var reported = Math.Max(0, written - firstOutput);
            var fresh = journal is { CommittedFrames: 0 };
            var commits = 0;
            try
            {
                await foreach (var window in pipeline.SampleWindowsAsync(source.ReadAsync(cancellationToken), state, progress, clock, cancellationToken).ConfigureAwait(false))
                {
                    foreach (var frame in window)
                    {
                        await sink.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
                        TestHooks.FrameWritten();
                    }

                    await sink.CommitAsync(cancellationToken).ConfigureAwait(false);
                    written = state.NextFrame;
                    journal?.Commit(written, state.Carry);
                    commits++;
                    await TestHooks.CommittedAsync(cancellationToken).ConfigureAwait(false);
                    var output = Math.Max(0, written - firstOutput);
                    if (committed is not null && output > reported)
                    {
                        reported = output;
                        await committed(output, cancellationToken).ConfigureAwait(false);
                    }
                }

                await sink.CompleteAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (fresh && commits == 0 && e is not OutOfMemoryException)
            {
                // Nothing of this run is committed: its journal records nothing worth resuming and would only make the
                // next run refuse the output as "interrupted". (A journal with committed frames stays whatever happens.)
                UpscaleJournal.Delete(workFolder!);
                if (e is OperationCanceledException cancelled)
                {
                    throw pipeline.Cancelled(cancelled, clock, 0);
                }

                throw;
            }
            catch (OperationCanceledException e)
            {
                throw pipeline.Cancelled(e, clock, Math.Max(0, written - firstOutput));
            }

            if (workFolder is not null)
            {
                UpscaleJournal.Delete(workFolder);
            }

            var frames = Math.Max(0, written - firstOutput);
            pipeline.ReportFinished(progress, frames, clock);
            return frames;
        }
    }
}
