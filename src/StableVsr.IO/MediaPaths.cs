using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace StableVsr.IO;

/// <summary>
/// The one place where a path becomes a frame source or sink: an existing file is a video (whatever FFmpeg reads), a
/// folder is a sequence of image files; an output with a video extension (<see cref="VideoOutputExtensions"/>) is a
/// video, anything else a folder of PNGs. The job layer, the command line and the cluster all decide through here.
/// </summary>
public static class MediaPaths
{
    /// <summary>
    /// Extensions of the video files found in a folder of sequences, lower case with the dot. Any file FFmpeg reads can be
    /// given directly as an input; these are the ones a folder is searched for.
    /// </summary>
    public static IReadOnlyList<string> VideoInputExtensions { get; } = [".mp4", ".mkv", ".mov", ".m4v", ".avi", ".webm", ".mpg", ".mpeg", ".ts", ".wmv", ".flv"];

    /// <summary>Extensions of the video files <see cref="VideoFileSink"/> writes (the containers it knows), lower case with the dot.</summary>
    public static IReadOnlyList<string> VideoOutputExtensions => OutputContainer.Extensions;

    /// <summary>Whether <paramref name="path"/> names a video by one of <see cref="VideoInputExtensions"/>.</summary>
    public static bool HasVideoInputExtension(string path) => VideoInputExtensions.Contains(Extension(path));

    /// <summary>Whether an output at <paramref name="path"/> is written as a video file (else as a folder of PNG frames).</summary>
    public static bool IsVideoOutput(string path) => VideoOutputExtensions.Contains(Extension(path));

    /// <summary>
    /// The output extension of a video upscaled into a folder: the input's container when <see cref="VideoFileSink"/>
    /// writes it, else .mp4; always .mkv for <see cref="VideoCodec.Ffv1"/> (FFV1 lives in Matroska).
    /// </summary>
    public static string VideoOutputExtensionFor(string inputVideo, VideoCodec codec)
    {
        var extension = Extension(inputVideo);
        return codec == VideoCodec.Ffv1 ? ".mkv" : IsVideoOutput(inputVideo) ? extension : ".mp4";
    }

    /// <summary>Opens the frames at <paramref name="input"/>: a video file, or a folder of PNG/JPEG/BMP frames.</summary>
    /// <exception cref="InvalidInputException">Nothing is at <paramref name="input"/>.</exception>
    public static IFrameSource OpenSource(string input, ILoggerFactory? loggerFactory = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(input);
        if (File.Exists(input))
        {
            return new VideoFileSource(input, (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<VideoFileSource>());
        }

        return Directory.Exists(input)
            ? new ImageFolderSource(input)
            : throw new InvalidInputException($"The input '{input}' does not exist: give a video file or a folder of PNG/JPEG/BMP frames.");
    }

    /// <summary>
    /// Creates the sink for <paramref name="output"/>: a video file when it has a video extension (its encoded segments
    /// kept in <paramref name="workFolder"/> until it is complete), else a folder of PNG frames.
    /// </summary>
    /// <param name="output">The output file or folder.</param>
    /// <param name="workFolder">Where a video sink keeps its resumable segments (the run's journal folder).</param>
    /// <param name="encoding">How a video is encoded; null takes <see cref="VideoEncodeOptions.Default"/>.</param>
    /// <param name="loggerFactory">Logging; null logs nothing.</param>
    /// <exception cref="InvalidInputException">The output cannot be written as asked (a file where a folder is needed, a codec its container cannot hold, ...).</exception>
    public static IFrameSink CreateSink(string output, string workFolder, VideoEncodeOptions? encoding = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(output);
        if (!IsVideoOutput(output))
        {
            return new ImageFolderSink(output);
        }

        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"The folder of the output '{output}' cannot be created: {e.Message}", e);
        }

        return new VideoFileSink(output, workFolder, encoding, (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<VideoFileSink>());
    }

    private static string Extension(string path) => Path.GetExtension(path).ToLowerInvariant();
}
