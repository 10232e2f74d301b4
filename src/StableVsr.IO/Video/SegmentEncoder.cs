using System.Threading.Channels;
using FFMpegCore;
using FFMpegCore.Enums;

namespace StableVsr.IO;

/// <summary>
/// One ffmpeg process (run by FFMpegCore) that encodes one segment from raw frames written to it, into a temporary
/// file. <see cref="FinishAsync"/> ends the input and waits until the file is whole; <see cref="AbortAsync"/> stops ffmpeg
/// and deletes the temporary file.
/// </summary>
internal sealed class SegmentEncoder : IAsyncDisposable
{
    /// <summary>Frames queued for ffmpeg: writing waits beyond this, so a slow encoder holds the caller back.</summary>
    private const int QueuedFrames = 2;

    private readonly Channel<ReadOnlyMemory<byte>> frames =
        Channel.CreateBounded<ReadOnlyMemory<byte>>(new BoundedChannelOptions(QueuedFrames) { SingleReader = true, SingleWriter = true });

    private readonly CancellationTokenSource abort = new();
    private readonly Task<(bool Success, string Reason)> run;
    private bool finished;

    private SegmentEncoder(FFmpegTools tools, EncodeSettings settings, string temporaryPath)
    {
        TemporaryPath = temporaryPath;
        var processor = FFMpegArguments
            .FromPipeInput(new FramePipeSource(frames.Reader, settings.RawInputArguments))
            .OutputToFile(temporaryPath, true, output => output.WithCustomArgument(settings.SegmentOutputArguments))
            .WithLogLevel(FFMpegLogLevel.Error)
            .NotifyOnStandardError(Errors.Add);
        run = RunAsync(processor, tools.Options, abort.Token);
    }

    /// <summary>The file being written.</summary>
    public string TemporaryPath { get; }

    /// <summary>Frames written so far.</summary>
    public int Frames { get; private set; }

    /// <summary>What ffmpeg wrote to its standard error.</summary>
    public FFmpegErrorLog Errors { get; } = new();

    /// <summary>Starts ffmpeg on a new segment at <paramref name="temporaryPath"/>.</summary>
    public static SegmentEncoder Start(FFmpegTools tools, EncodeSettings settings, string temporaryPath) => new(tools, settings, temporaryPath);

    /// <summary>Queues one frame's RGB24 bytes for ffmpeg, waiting while the queue is full.</summary>
    /// <exception cref="SegmentEncodeException">ffmpeg stopped (its reason is in <see cref="Errors"/>).</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled; the frame was not queued.</exception>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> rgb, CancellationToken cancellationToken)
    {
        var write = frames.Writer.WriteAsync(rgb, cancellationToken).AsTask();
        if (await Task.WhenAny(write, run).ConfigureAwait(false) != write || run.IsCompleted)
        {
            // ffmpeg is gone: nobody reads the queue any more, so a pending write only ends when the queue is closed.
            _ = write.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            var (_, reason) = await run.ConfigureAwait(false);
            throw new SegmentEncodeException(reason);
        }

        await write.ConfigureAwait(false);
        Frames++;
    }

    /// <summary>Ends ffmpeg's input and waits until it has written the whole segment.</summary>
    /// <exception cref="SegmentEncodeException">ffmpeg failed (its reason is in <see cref="Errors"/>).</exception>
    public async Task FinishAsync(CancellationToken cancellationToken)
    {
        frames.Writer.TryComplete();
        var (success, reason) = await run.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (!success)
        {
            throw new SegmentEncodeException(reason);
        }

        finished = true;
    }

    /// <summary>Stops ffmpeg (if it still runs) and deletes the temporary file.</summary>
    public async Task AbortAsync()
    {
        await abort.CancelAsync().ConfigureAwait(false);
        frames.Writer.TryComplete();
        await run.ConfigureAwait(false);
        DurableFile.DeleteIfExists(TemporaryPath);
    }

    /// <summary>Aborts the segment unless <see cref="FinishAsync"/> completed it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!finished)
        {
            await AbortAsync().ConfigureAwait(false);
        }

        abort.Dispose();
    }

    private async Task<(bool Success, string Reason)> RunAsync(FFMpegArgumentProcessor processor, FFOptions options, CancellationToken cancellationToken)
    {
        try
        {
            var result = await processor.ProcessAsynchronously(false, options, cancellationToken).ConfigureAwait(false);
            return result.Success && !Errors.SaysWriteFailed
                ? (true, string.Empty)
                : (false, result.Cancelled ? "cancelled" : $"exit code {result.ExitCode}: {Errors}");
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException or FFMpegCore.Exceptions.FFMpegException)
        {
            // FFMpegCore can surface a broken pipe (ffmpeg gone while a frame was being written) as an exception rather than a result.
            return (false, $"{e.Message}; ffmpeg says: {Errors}");
        }
    }
}
