using Microsoft.Extensions.Logging;

namespace StableVsr.IO;

/// <summary>
/// What a <see cref="VideoFileSink"/> takes from its source video: timing for the encoder, and what the final mux copies
/// (streams, metadata, rotation, the video's start offset so audio stays in sync).
/// </summary>
internal sealed record SinkSourceVideo(
    string Path,
    VideoRational FrameRate,
    VideoRational TimeBase,
    int Rotation,
    int VideoOrdinal,
    TimeSpan VideoStartOffset,
    int AudioStreams,
    IReadOnlyList<string> SubtitleCodecs,
    bool HasAttachments)
{
    /// <summary>
    /// Probes <paramref name="path"/> as <see cref="VideoFileSource.ProbeAsync"/> does (counting its frames), so the rate
    /// agrees with the frames a source over the same file yields.
    /// </summary>
    /// <exception cref="InvalidInputException">The source cannot be read, has no video stream or no frames.</exception>
    public static async Task<SinkSourceVideo> ProbeAsync(FFmpegTools tools, string path, ILogger logger, CancellationToken cancellationToken)
    {
        var analysis = await VideoProbe.AnalyseAsync(tools, path, countPackets: true, cancellationToken).ConfigureAwait(false);
        var info = VideoProbe.Describe(analysis, path, logger);
        var video = VideoProbe.PrimaryVideo(analysis, path);
        var offset = video.StartTime - analysis.Format.StartTime;
        return new SinkSourceVideo(
            path,
            info.FrameRate,
            info.TimeBase,
            info.Rotation,
            VideoProbe.VideoOrdinal(analysis, video.Index),
            offset > TimeSpan.Zero ? offset : TimeSpan.Zero,
            analysis.AudioStreams.Count,
            analysis.SubtitleStreams.Select(s => s.CodecName ?? "unknown").ToArray(),
            analysis.Raw.Streams.Any(s => s.CodecType == "attachment"));
    }
}
