using System.ComponentModel;
using System.Diagnostics;
using System.Threading.Channels;

namespace StableVsr.IO;

/// <summary>
/// One ffmpeg process decoding a video stream to packed RGB24 on its standard output, read frame by frame into a small
/// bounded queue. When the queue is full nothing is read from the pipe, so ffmpeg blocks on its next write: it decodes
/// at most the queue, the OS pipe buffer and its own few frames ahead of the consumer (back-pressure).
/// </summary>
/// <remarks>
/// This runs ffmpeg itself instead of FFMpegCore's pipe sink: FFMpegCore cancels the sink's reader and closes the pipe as
/// soon as ffmpeg exits, so the frames a slow consumer had not yet read from the pipe are lost (seen here: 1 of 12 small
/// frames arrived). Reading ffmpeg's own standard output has no such race and needs no named pipe.
/// </remarks>
internal sealed class RawVideoDecoder : IAsyncDisposable
{
    private readonly Process process;
    private readonly Channel<byte[]> frames;
    private readonly CancellationTokenSource stop = new();
    private readonly Task<int> pump;

    private RawVideoDecoder(Process process, int frameBytes, int readAhead)
    {
        this.process = process;
        frames = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(readAhead) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
        pump = Task.Run(() => PumpAsync(frameBytes));
    }

    /// <summary>What ffmpeg wrote to its standard error.</summary>
    public FFmpegErrorLog Errors { get; } = new();

    /// <summary>The decoded frames (RGB24, row by row), in order; completes when ffmpeg's output ends.</summary>
    public ChannelReader<byte[]> Frames => frames.Reader;

    /// <summary>Whether the output ended in the middle of a frame.</summary>
    public bool EndedMidFrame { get; private set; }

    /// <summary>Starts <paramref name="ffmpeg"/> with <paramref name="arguments"/>, which must write raw frames of <paramref name="frameBytes"/> bytes to pipe:1.</summary>
    /// <exception cref="InvalidInputException">ffmpeg could not be started.</exception>
    public static RawVideoDecoder Start(string ffmpeg, string arguments, int frameBytes, int readAhead)
    {
        var start = new ProcessStartInfo(ffmpeg, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidInputException($"'{ffmpeg}' could not be started. {FFmpegTools.InstallHint}");
        }
        catch (Win32Exception e)
        {
            throw new InvalidInputException($"'{ffmpeg}' could not be run: {e.Message}. {FFmpegTools.InstallHint}", e);
        }

        process.StandardInput.Close();
        var decoder = new RawVideoDecoder(process, frameBytes, readAhead);
        process.ErrorDataReceived += (_, e) => decoder.Errors.Add(e.Data);
        process.BeginErrorReadLine();
        return decoder;
    }

    /// <summary>Waits until ffmpeg has exited and returns its exit code (after <see cref="Frames"/> completed).</summary>
    public Task<int> CompletionAsync() => pump;

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync().ConfigureAwait(false);
        try
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill.
        }

        try
        {
            await pump.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // Stopped on purpose: the reader was cancelled or the pipe closed by the kill.
        }

        process.Dispose();
        stop.Dispose();
    }

    private async Task<int> PumpAsync(int frameBytes)
    {
        var output = process.StandardOutput.BaseStream;
        try
        {
            while (true)
            {
                var frame = new byte[frameBytes];
                var read = await output.ReadAtLeastAsync(frame, frameBytes, throwOnEndOfStream: false, stop.Token).ConfigureAwait(false);
                if (read < frameBytes)
                {
                    EndedMidFrame = read > 0;
                    break;
                }

                await frames.Writer.WriteAsync(frame, stop.Token).ConfigureAwait(false);
            }

            await process.WaitForExitAsync(stop.Token).ConfigureAwait(false);
            frames.Writer.TryComplete();
            return process.ExitCode;
        }
        catch (Exception e)
        {
            frames.Writer.TryComplete(e);
            throw;
        }
    }
}
