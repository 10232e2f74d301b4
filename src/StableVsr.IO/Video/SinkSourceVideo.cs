using FFMpegCore;

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
    IReadOnlyList<string> SubtitleCodecs,
    bool HasAttachments)
{
    /// <summary>Probes <paramref name="path"/> (without counting frames) for what the sink needs.</summary>
    /// <exception cref="InvalidInputException">The source cannot be read or has no video stream.</exception>
    public static async Task<SinkSourceVideo> ProbeAsync(FFmpegTools tools, string path, CancellationToken cancellationToken)
    {
        var analysis = await VideoProbe.AnalyseAsync(tools, path, countPackets: false, cancellationToken).ConfigureAwait(false);
        var video = VideoProbe.PrimaryVideo(analysis, path);
        var raw = analysis.Raw.Streams.First(s => s.Index == video.Index);
        var offset = video.StartTime - analysis.Format.StartTime;
        return new SinkSourceVideo(
            path,
            VideoProbe.AverageFrameRate(raw, path),
            VideoProbe.TimeBase(raw),
            video.Rotation,
            VideoProbe.VideoOrdinal(analysis, video.Index),
            offset > TimeSpan.Zero ? offset : TimeSpan.Zero,
            analysis.SubtitleStreams.Select(s => s.CodecName ?? "unknown").ToArray(),
            analysis.Raw.Streams.Any(s => s.CodecType == "attachment"));
    }
}
