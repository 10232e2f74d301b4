using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using FFMpegCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace StableVsr.IO;

/// <summary>
/// Reads the frames of a video file (any container and codec the system's FFmpeg reads) as 8-bit RGB, streaming: ffmpeg
/// decodes into a pipe, at most a few frames ahead of the reader, so neither the whole video nor any image file is ever
/// held. Needs ffmpeg and ffprobe 5.1 or newer on PATH (or in FFMpegCore's <c>GlobalFFOptions.BinaryFolder</c>).
/// </summary>
/// <remarks>
/// <para>What is read: the first video stream that is not a cover picture, every stored frame exactly once, as stored
/// (rotation is not applied; <see cref="VideoFileInfo.Rotation"/> tells it and <see cref="VideoFileSink"/> carries it to
/// the output). A variable-frame-rate video yields each frame once, without the duplicates or drops a constant-rate
/// conversion would make. 10-bit and deeper video is reduced to 8 bits per channel by FFmpeg's scaler; an alpha channel
/// is dropped. Odd sizes are read as they are.</para>
/// <para>Frames are numbered from 0 and named <c>frame_000000.png</c>, ..., so an <see cref="ImageFolderSink"/> writes them
/// under those names.</para>
/// </remarks>
public sealed partial class VideoFileSource : IFrameSource
{
    /// <summary>Decoded frames queued ahead of the reader: enough to overlap decoding with the reader's work, little memory.</summary>
    internal const int ReadAhead = 4;

    private readonly FFmpegTools tools;
    private readonly ILogger logger;
    private VideoFileInfo? info;

    /// <summary>A source over the video file <paramref name="filePath"/>; the file is probed when first needed.</summary>
    /// <param name="filePath">The video file.</param>
    /// <param name="logger">Receives warnings (frames fewer than the container announced).</param>
    public VideoFileSource(string filePath, ILogger<VideoFileSource>? logger = null)
        : this(filePath, new FFmpegTools(), logger)
    {
    }

    internal VideoFileSource(string filePath, FFmpegTools tools, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        FilePath = filePath;
        this.tools = tools;
        this.logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The video file read.</summary>
    public string FilePath { get; }

    /// <inheritdoc />
    public string Description => FilePath;

    /// <summary>The frame count from the probe (ffprobe, plus one pass counting packets where the container stores no count).</summary>
    /// <exception cref="InvalidInputException">ffmpeg/ffprobe are missing or too old; the file is missing, corrupt or truncated, has no video stream or no frames.</exception>
    public async ValueTask<int?> CountFramesAsync(CancellationToken cancellationToken = default) => (await ProbeAsync(cancellationToken).ConfigureAwait(false)).FrameCount;

    /// <summary>
    /// Probes the file once (ffprobe, plus one pass that counts its packets where the container does not store a frame
    /// count) and returns what it holds; later calls return the same answer.
    /// </summary>
    /// <exception cref="InvalidInputException">ffmpeg/ffprobe are missing or too old; the file is missing, corrupt or truncated, has no video stream or no frames.</exception>
    public async Task<VideoFileInfo> ProbeAsync(CancellationToken cancellationToken = default)
    {
        info ??= await VideoProbe.ProbeAsync(tools, FilePath, logger, cancellationToken).ConfigureAwait(false);
        return info;
    }

    /// <summary>Decodes the frames in order as 8-bit RGB, numbered from 0.</summary>
    /// <exception cref="InvalidInputException">
    /// As <see cref="ProbeAsync"/>; or decoding failed (the message names the file and quotes ffmpeg's reason), which for a
    /// damaged file can happen after some frames were read.
    /// </exception>
    public async IAsyncEnumerable<VideoFrame> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var video = await ProbeAsync(cancellationToken).ConfigureAwait(false);
        var ffmpeg = await tools.FFmpegAsync(cancellationToken).ConfigureAwait(false);
        var frameBytes = checked(video.Width * video.Height * 3);
        var index = 0;
        await using (var decoder = RawVideoDecoder.Start(ffmpeg, DecodeArguments(video), frameBytes, ReadAhead))
        {
            await foreach (var rgb in decoder.Frames.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return new VideoFrame(video.Width, video.Height, rgb, index, FrameName(index));
                index++;
            }

            var exitCode = await decoder.CompletionAsync().ConfigureAwait(false);
            if (exitCode != 0 || decoder.EndedMidFrame)
            {
                throw new InvalidInputException(
                    $"Decoding '{FilePath}' failed after {index} of {video.FrameCount} frames: the file is corrupt or truncated. ffmpeg says: {decoder.Errors}");
            }

            if (index == 0)
            {
                throw new InvalidInputException($"'{FilePath}' holds no decodable video frames. ffmpeg says: {decoder.Errors}");
            }

            if (index < video.FrameCount)
            {
                LogFewerFrames(logger, FilePath, index, video.FrameCount, decoder.Errors.ToString());
            }
        }
    }

    /// <summary>
    /// A hash of the file's full path, size and modification time and of its stream layout as ffprobe reports it (codecs,
    /// sizes, rates, time bases, frame counts), without decoding or reading the file through.
    /// </summary>
    /// <exception cref="InvalidInputException">ffprobe is missing, or the file is missing or not readable media.</exception>
    public async ValueTask<string> FingerprintAsync(CancellationToken cancellationToken = default)
    {
        var analysis = await VideoProbe.AnalyseAsync(tools, FilePath, countPackets: false, cancellationToken).ConfigureAwait(false);
        var file = new FileInfo(FilePath);
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"{file.FullName}\t{file.Length}\t{file.LastWriteTimeUtc.Ticks}\t{analysis.Format.FormatName}\n");
        foreach (var stream in analysis.Raw.Streams)
        {
            text.Append(CultureInfo.InvariantCulture, $"{stream.Index}\t{stream.CodecType}\t{stream.CodecName}\t{stream.Width}x{stream.Height}\t{stream.PixelFormat}\t")
                .Append(CultureInfo.InvariantCulture, $"{stream.FrameRate}\t{stream.AvgFrameRate}\t{VideoProbe.Extension(stream, "time_base")}\t{VideoProbe.Extension(stream, "nb_frames")}\t")
                .Append(CultureInfo.InvariantCulture, $"{stream.SampleRate}\t{stream.Channels}\n");
        }

        return "video:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>The name frame <paramref name="index"/> gets.</summary>
    internal static string FrameName(int index) => string.Create(CultureInfo.InvariantCulture, $"frame_{index:D6}.png");

    /// <summary>
    /// ffmpeg's arguments: the chosen stream only, frames as stored (no auto-rotation), each decoded frame once
    /// (passthrough timing), converted to packed RGB24 on standard output.
    /// </summary>
    internal static string DecodeArguments(VideoFileInfo video) =>
        "-nostdin -hide_banner -v error " + FFMpegArguments
            .FromFileInput(video.Path, false, input => input.WithCustomArgument("-noautorotate"))
            .OutputToUrl("pipe:1", output => output
                .WithCustomArgument(string.Create(CultureInfo.InvariantCulture, $"-map 0:{video.VideoStreamIndex} -an -sn -dn -fps_mode passthrough"))
                .WithCustomArgument("-f rawvideo -pix_fmt rgb24"))
            .Arguments;

    [LoggerMessage(EventId = LoggerEventIds.VideoFewerFrames, Level = LogLevel.Warning, Message = "{File}: decoded {Decoded} frames where the container lists {Listed}; ffmpeg says: {Errors}")]
    private static partial void LogFewerFrames(ILogger logger, string file, int decoded, int listed, string errors);
}
