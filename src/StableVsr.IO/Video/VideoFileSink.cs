using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace StableVsr.IO;

/// <summary>
/// Writes frames into a video file (.mp4, .m4v, .mov or .mkv) through the system's FFmpeg, resumably: each
/// <see cref="CommitAsync"/> closes an encoded segment in the work folder, and <see cref="CompleteAsync"/> joins the
/// segments without re-encoding, adds the source video's audio, subtitles, chapters and metadata, and only then puts
/// the output in place (temporary file, renamed). After a crash, a new sink over the same work folder continues after
/// the committed frames (<see cref="ResumeAsync"/>), and the result is byte for byte what an uninterrupted run on the same
/// machine writes (x264/x265 output depends on the thread count they pick from the CPU count).
/// </summary>
/// <remarks>
/// <para><b>Work folder.</b> The sink keeps its segments (<c>video-segment-NNNNNN.nut</c>), their list
/// (<c>video-segments.json</c>) and the join list there, and deletes only those files; it shares the folder with other
/// state (the CLI's journal). After completion it removes its files, and the folder if that leaves it empty.</para>
/// <para><b>Timing.</b> The output has a constant frame rate (<see cref="VideoEncodeOptions.FrameRate"/>, by default the
/// source's average rate: a variable-rate source keeps its duration and its frame count, not the irregular spacing).
/// MP4/MOV keep the source's time base when it holds the frame duration exactly; Matroska stores milliseconds.</para>
/// <para><b>Kept from the source</b> (<see cref="VideoEncodeOptions.SourceVideo"/>): every audio and subtitle stream
/// copied unchanged (text subtitles are converted between SubRip and mov_text when the container needs it), chapters,
/// file and stream metadata (language, title, ...), attachments in Matroska, and the display rotation in MP4/MOV
/// (frames are read as stored, so the same rotation shows them the same way; FFmpeg 5.1's Matroska muxer cannot store a
/// rotation, so a rotated source written to .mkv loses it and a warning is logged).</para>
/// <para><b>Pixels.</b> H.264/H.265 store 8-bit 4:2:0 BT.709 (4:4:4 for odd sizes, which 4:2:0 cannot hold); FFV1 stores
/// RGB losslessly. Deeper or alpha sources were reduced to 8-bit RGB when read.</para>
/// </remarks>
public sealed partial class VideoFileSink : IFrameSink
{
    private const string SegmentPrefix = "video-segment-";
    private const string SegmentExtension = ".nut";
    private const string PartialSuffix = ".partial";

    private readonly FFmpegTools tools;
    private readonly ILogger logger;
    private readonly OutputContainer container;
    private EncodeSettings? settings;
    private SinkSourceVideo? source;
    private SegmentManifest? manifest;
    private SegmentEncoder? segment;
    private bool started;
    private bool completed;
    private string? fault;

    /// <summary>Creates a sink that will write <paramref name="outputPath"/>, keeping its resumable state in <paramref name="workFolder"/>.</summary>
    /// <param name="outputPath">The output file; its extension (.mp4, .m4v, .mov, .mkv) chooses the container. An existing file is replaced at completion.</param>
    /// <param name="workFolder">Where segments are kept until completion; the same folder resumes. It need not exist.</param>
    /// <param name="options">Codec, quality, timing and the source video; <see cref="VideoEncodeOptions.Default"/> when null.</param>
    /// <param name="logger">Receives warnings (a rotation the container cannot store, 4:4:4 for odd sizes).</param>
    /// <exception cref="InvalidInputException">The extension is not supported, the codec does not fit it, or the output is the source video.</exception>
    public VideoFileSink(string outputPath, string workFolder, VideoEncodeOptions? options = null, ILogger<VideoFileSink>? logger = null)
        : this(outputPath, workFolder, options, new FFmpegTools(), logger)
    {
    }

    internal VideoFileSink(string outputPath, string workFolder, VideoEncodeOptions? options, FFmpegTools tools, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputPath);
        ArgumentException.ThrowIfNullOrEmpty(workFolder);
        Options = options ?? VideoEncodeOptions.Default;
        container = OutputContainer.For(outputPath, Options.Codec);
        if (Options.SourceVideo is { } sourceVideo && SamePath(sourceVideo, outputPath))
        {
            throw new InvalidInputException($"The output '{outputPath}' is the source video itself; write to another file (it would be overwritten while it is read).");
        }

        if (Directory.Exists(outputPath))
        {
            throw new InvalidInputException($"The output '{outputPath}' is a folder; give a file name such as '{Path.Combine(outputPath, "video-x4.mp4")}'.");
        }

        OutputPath = outputPath;
        WorkFolder = workFolder;
        this.tools = tools;
        this.logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The output file.</summary>
    public string OutputPath { get; }

    /// <summary>The folder the segments are kept in until completion.</summary>
    public string WorkFolder { get; }

    /// <summary>The encode options.</summary>
    public VideoEncodeOptions Options { get; }

    /// <inheritdoc />
    public string Description => OutputPath;

    /// <summary>Frames in committed segments (those a resume keeps).</summary>
    public int CommittedFrames => manifest?.Frames ?? 0;

    /// <summary>
    /// Continues an output an earlier sink over the same work folder left unfinished: keeps the committed segments that
    /// hold its first <paramref name="committedFrames"/> frames and deletes later segments and any half-written one.
    /// </summary>
    /// <exception cref="InvalidInputException">
    /// Fewer frames are committed, the count falls inside a segment, a segment file is missing, or the segments were encoded
    /// with other settings (codec, quality, rate) than this sink's.
    /// </exception>
    public async ValueTask ResumeAsync(int committedFrames, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(committedFrames);
        if (started)
        {
            throw new InvalidOperationException("ResumeAsync must be called before the first frame is written.");
        }

        await ResolveAsync(cancellationToken).ConfigureAwait(false);
        if (committedFrames == 0)
        {
            // Nothing to keep: whatever an earlier run left (other settings, another size) is discarded.
            StartFresh();
            return;
        }

        var existing = Directory.Exists(WorkFolder) ? SegmentManifest.Load(WorkFolder) : null;
        if (existing is null)
        {
            throw new InvalidInputException(
                $"Cannot resume '{OutputPath}' after {committedFrames} frames: '{WorkFolder}' holds no committed video segments. Start the output over.");
        }

        if (existing.Settings != settings!.Identity)
        {
            throw new InvalidInputException(
                $"Cannot resume '{OutputPath}': its committed segments were encoded as '{existing.Settings}' but this run encodes '{settings.Identity}'. " +
                "Resume with the same codec, quality and frame rate, or start the output over.");
        }

        var kept = new List<SegmentEntry>();
        var frames = 0;
        foreach (var entry in existing.Segments)
        {
            if (frames == committedFrames)
            {
                break;
            }

            frames += entry.Frames;
            kept.Add(entry);
        }

        if (frames < committedFrames)
        {
            throw new InvalidInputException(
                $"Cannot resume '{OutputPath}' after {committedFrames} frames: only {frames} committed frames are in '{WorkFolder}'. Start the output over.");
        }

        if (frames != committedFrames)
        {
            throw new InvalidInputException(
                $"Cannot resume '{OutputPath}' after {committedFrames} frames: that is inside a committed segment (segments end at {string.Join(", ", RunningTotals(existing.Segments))} frames). " +
                "Resume at a count a commit reported, or start the output over.");
        }

        foreach (var entry in kept)
        {
            if (entry.Damage(WorkFolder) is { } damage)
            {
                throw new InvalidInputException(
                    $"Cannot resume '{OutputPath}': the committed segment '{Path.Combine(WorkFolder, entry.File)}' is damaged ({damage}). Start over with --restart (ResumeMode.Restart).");
            }
        }

        manifest = existing with { Segments = kept };
        DeleteOwnFiles(keep: kept.Select(e => e.File).ToHashSet(StringComparer.Ordinal));
        manifest.Save(WorkFolder);
        started = true;
        LogResuming(logger, OutputPath, frames, kept.Count);
    }

    /// <summary>
    /// The committed frames of <paramref name="committedFrames"/> that precede the first damaged segment in the work
    /// folder (missing, or not of the size and checksum recorded at its commit): <paramref name="committedFrames"/> when
    /// every segment is whole. Read before <see cref="ResumeAsync"/>, so a resume can re-make a damaged segment.
    /// </summary>
    internal int IntactFrames(int committedFrames)
    {
        var existing = Directory.Exists(WorkFolder) ? SegmentManifest.Load(WorkFolder) : null;
        if (existing is null)
        {
            return committedFrames;
        }

        var frames = 0;
        foreach (var entry in existing.Segments)
        {
            if (frames >= committedFrames || entry.Damage(WorkFolder) is not null)
            {
                break;
            }

            frames += entry.Frames;
        }

        return Math.Min(frames, committedFrames);
    }

    /// <summary>Queues the next frame for the current segment's encoder (started on the first frame after a commit).</summary>
    /// <exception cref="InvalidInputException">The frame's size differs from the first frame's, or ffmpeg failed (disk full, ...); the current segment is discarded.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled: the current segment is discarded, committed ones are kept.</exception>
    public async ValueTask WriteAsync(VideoFrame frame, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ThrowIfUnusable();
        if (cancellationToken.IsCancellationRequested)
        {
            await DiscardSegmentAsync("the write was cancelled").ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }

        if (!started)
        {
            await ResolveAsync(cancellationToken).ConfigureAwait(false);
            StartFresh();
        }

        manifest ??= new SegmentManifest { Settings = settings!.Identity, Width = frame.Width, Height = frame.Height, Segments = [] };
        if (frame.Width != manifest.Width || frame.Height != manifest.Height)
        {
            throw new InvalidInputException(
                $"Frame {frame.Index} is {frame.Width}x{frame.Height} but '{OutputPath}' is {manifest.Width}x{manifest.Height} (its first frame's size); every frame of a video has one size.");
        }

        if (segment is null)
        {
            var frameSettings = settings! with { Width = frame.Width, Height = frame.Height };
            if (frameSettings.PixelFormat == "yuv444p")
            {
                LogOddSize(logger, OutputPath, frame.Width, frame.Height);
            }

            Directory.CreateDirectory(WorkFolder);
            segment = SegmentEncoder.Start(tools, frameSettings, Path.Combine(WorkFolder, SegmentName(manifest.Segments.Count) + PartialSuffix));
        }

        try
        {
            await segment.WriteAsync(frame.Rgb, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await DiscardSegmentAsync("the write was cancelled").ConfigureAwait(false);
            throw;
        }
        catch (SegmentEncodeException e)
        {
            throw await SegmentFailedAsync(e).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Closes the current segment: waits until ffmpeg has written it, flushes it to the disk, renames it into place and
    /// records it in the segment list (itself replaced atomically). Without frames since the last commit it does nothing.
    /// </summary>
    /// <exception cref="InvalidInputException">ffmpeg failed or the disk is full; the segment is discarded, earlier ones are kept.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled: the segment is discarded, earlier ones are kept.</exception>
    public async ValueTask CommitAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfUnusable();
        if (segment is null)
        {
            return;
        }

        var name = SegmentName(manifest!.Segments.Count);
        try
        {
            await segment.FinishAsync(cancellationToken).ConfigureAwait(false);
            var stored = await VideoProbe.CountVideoPacketsAsync(tools, segment.TemporaryPath, cancellationToken).ConfigureAwait(false);
            if (stored != segment.Frames)
            {
                throw new SegmentEncodeException($"the segment holds {stored} of its {segment.Frames} frames after ffmpeg finished; ffmpeg says: {segment.Errors}");
            }

            DurableFile.Flush(segment.TemporaryPath);
            var entry = SegmentEntry.Of(segment.TemporaryPath, segment.Frames) with { File = name };
            File.Move(segment.TemporaryPath, Path.Combine(WorkFolder, name), overwrite: true);
            var committed = manifest with { Segments = [.. manifest.Segments, entry] };
            committed.Save(WorkFolder);
            manifest = committed;
            await segment.DisposeAsync().ConfigureAwait(false);
            segment = null;
        }
        catch (OperationCanceledException)
        {
            await DiscardSegmentAsync("the commit was cancelled").ConfigureAwait(false);
            throw;
        }
        catch (SegmentEncodeException e)
        {
            throw await SegmentFailedAsync(e).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await DiscardSegmentAsync(e.Message).ConfigureAwait(false);
            throw new InvalidInputException(WriteFailure($"Committing segment '{Path.Combine(WorkFolder, name)}' failed: {e.Message}", DiskSpace.IsDiskFull(e)), e);
        }
    }

    /// <summary>
    /// Commits what is pending, then joins the segments into a temporary file beside the output (stream copy, the source's
    /// streams and metadata muxed in), flushes it and renames it to the output, and deletes the segments.
    /// </summary>
    /// <exception cref="InvalidInputException">
    /// No frame was written, or ffmpeg failed or the disk filled up while joining: no output file is left, the committed
    /// segments are kept, and completing again (this sink, or a new one after <see cref="ResumeAsync"/>) retries.
    /// </exception>
    public async ValueTask CompleteAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfUnusable();
        if (!started)
        {
            throw new InvalidInputException($"No frames were written to '{OutputPath}'; a video needs at least one.");
        }

        await CommitAsync(cancellationToken).ConfigureAwait(false);
        if (manifest is not { Frames: > 0 })
        {
            throw new InvalidInputException($"No frames were written to '{OutputPath}'; a video needs at least one.");
        }

        var list = SegmentJoiner.WriteList(WorkFolder, manifest.Segments, settings!.FrameRate);
        var folder = Path.GetDirectoryName(Path.GetFullPath(OutputPath))!;
        Directory.CreateDirectory(folder);
        var temporary = Path.Combine(folder, $".{Path.GetFileName(OutputPath)}.{Guid.NewGuid():N}{PartialSuffix}");
        var errors = new FFmpegErrorLog();
        try
        {
            var frameSettings = settings with { Width = manifest.Width, Height = manifest.Height };
            var result = await SegmentJoiner.Build(list, temporary, container, frameSettings, Options, source, errors)
                .ProcessAsynchronously(false, tools.Options, cancellationToken).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            var stored = result.Success && !errors.SaysWriteFailed
                ? await VideoProbe.CountVideoPacketsAsync(tools, temporary, cancellationToken).ConfigureAwait(false)
                : 0;
            if (stored != manifest.Frames)
            {
                throw new InvalidInputException(WriteFailure(
                    $"Joining the {manifest.Segments.Count} segments of '{OutputPath}' failed (exit code {result.ExitCode}, {stored} of {manifest.Frames} frames written). ffmpeg says: {errors}",
                    errors.SaysDiskFull));
            }

            DurableFile.Flush(temporary);
            File.Move(temporary, OutputPath, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException(WriteFailure($"Writing '{OutputPath}' failed: {e.Message}", DiskSpace.IsDiskFull(e)), e);
        }
        finally
        {
            DurableFile.DeleteIfExists(temporary);
        }

        completed = true;
        DeleteOwnFiles(keep: null);
        RemoveWorkFolderIfEmpty();
        LogWritten(logger, OutputPath, manifest.Frames);
    }

    /// <summary>Stops an unfinished segment and deletes it; committed segments stay for a resume.</summary>
    public async ValueTask DisposeAsync()
    {
        if (segment is not null)
        {
            await segment.DisposeAsync().ConfigureAwait(false);
            segment = null;
        }
    }

    /// <summary>The segments' file name stem for segment <paramref name="index"/>.</summary>
    internal static string SegmentName(int index) => string.Create(CultureInfo.InvariantCulture, $"{SegmentPrefix}{index:D6}{SegmentExtension}");

    private static bool SamePath(string a, string b) =>
        string.Equals(
            Path.GetFullPath(a),
            Path.GetFullPath(b),
            OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase);

    private static IEnumerable<int> RunningTotals(IEnumerable<SegmentEntry> segments)
    {
        var total = 0;
        foreach (var entry in segments)
        {
            total += entry.Frames;
            yield return total;
        }
    }

    private async Task ResolveAsync(CancellationToken cancellationToken)
    {
        if (settings is not null)
        {
            return;
        }

        await tools.RequireEncoderAsync(EncodeSettings.From(Options, new VideoRational(25, 1)).Encoder, cancellationToken).ConfigureAwait(false);
        if (Options.SourceVideo is { } sourceVideo)
        {
            source = await SinkSourceVideo.ProbeAsync(tools, sourceVideo, logger, cancellationToken).ConfigureAwait(false);
            CheckSourceFitsContainer(source);
        }

        settings = EncodeSettings.From(Options, Options.FrameRate ?? source?.FrameRate ?? new VideoRational(25, 1));
    }

    private void CheckSourceFitsContainer(SinkSourceVideo video)
    {
        var unfit = video.SubtitleCodecs.FirstOrDefault(codec => container.SubtitleCodecFor(codec) is null);
        if (unfit is not null)
        {
            throw new InvalidInputException(
                $"The source '{video.Path}' has a picture-based subtitle stream ({unfit}) that {container.Muxer.ToUpperInvariant()} cannot hold; " +
                $"write '{Path.ChangeExtension(OutputPath, ".mkv")}' instead to keep it.");
        }

        if (video.Rotation != 0 && !container.StoresRotation)
        {
            LogRotationLost(logger, video.Path, video.Rotation, OutputPath);
        }
    }

    private void StartFresh()
    {
        if (Directory.Exists(WorkFolder))
        {
            DeleteOwnFiles(keep: null);
        }

        manifest = null;
        started = true;
    }

    /// <summary>Deletes this sink's files in the work folder (segments, partial segments, lists), except <paramref name="keep"/>.</summary>
    private void DeleteOwnFiles(IReadOnlySet<string>? keep)
    {
        if (!Directory.Exists(WorkFolder))
        {
            return;
        }

        foreach (var file in Directory.EnumerateFiles(WorkFolder))
        {
            var name = Path.GetFileName(file);
            var own = name.StartsWith(SegmentPrefix, StringComparison.Ordinal)
                || name.StartsWith(SegmentManifest.FileName, StringComparison.Ordinal)
                || name.StartsWith(SegmentJoiner.ListFileName, StringComparison.Ordinal);
            var kept = keep is not null && (keep.Contains(name) || name == SegmentManifest.FileName);
            if (own && !kept)
            {
                File.Delete(file);
            }
        }
    }

    private void RemoveWorkFolderIfEmpty()
    {
        if (Directory.Exists(WorkFolder) && !Directory.EnumerateFileSystemEntries(WorkFolder).Any())
        {
            Directory.Delete(WorkFolder);
        }
    }

    /// <summary>Stops and deletes the segment being written, if any; its frames are lost, so the sink refuses further frames.</summary>
    private async Task DiscardSegmentAsync(string reason)
    {
        if (segment is null)
        {
            return;
        }

        await segment.AbortAsync().ConfigureAwait(false);
        await segment.DisposeAsync().ConfigureAwait(false);
        segment = null;
        fault = reason;
    }

    private async Task<InvalidInputException> SegmentFailedAsync(SegmentEncodeException e)
    {
        var path = segment?.TemporaryPath ?? WorkFolder;
        var diskFull = segment?.Errors.SaysDiskFull == true;
        await DiscardSegmentAsync(e.Message).ConfigureAwait(false);
        return new InvalidInputException(WriteFailure($"Encoding the video segment '{path}' for '{OutputPath}' failed: {e.Message}", diskFull), e);
    }

    private string WriteFailure(string what, bool diskFull) =>
        diskFull
            ? $"{what} The disk is full: free space there, then resume; the {CommittedFrames} committed frames are kept in '{WorkFolder}' and no partial '{OutputPath}' was left."
            : $"{what} The {CommittedFrames} committed frames are kept in '{WorkFolder}'; no partial '{OutputPath}' was left.";

    private void ThrowIfUnusable()
    {
        if (completed)
        {
            throw new InvalidOperationException($"'{OutputPath}' is complete; nothing more can be written to it.");
        }

        if (fault is not null)
        {
            throw new InvalidOperationException(
                $"This sink discarded its current segment ({fault}); resume with a new sink after its {CommittedFrames} committed frames.");
        }
    }

    [LoggerMessage(EventId = LoggerEventIds.VideoResuming, Level = LogLevel.Information, Message = "Resuming {Output} after {Frames} committed frames in {Segments} segments")]
    private static partial void LogResuming(ILogger logger, string output, int frames, int segments);

    [LoggerMessage(EventId = LoggerEventIds.VideoOddSize, Level = LogLevel.Warning, Message = "{Output}: {Width}x{Height} has an odd side, which 4:2:0 cannot store; encoding 4:4:4 (yuv444p) instead")]
    private static partial void LogOddSize(ILogger logger, string output, int width, int height);

    [LoggerMessage(EventId = LoggerEventIds.VideoWritten, Level = LogLevel.Information, Message = "Wrote {Output}: {Frames} frames")]
    private static partial void LogWritten(ILogger logger, string output, int frames);

    [LoggerMessage(
        EventId = LoggerEventIds.VideoRotationLost,
        Level = LogLevel.Warning,
        Message = "{Source} is shown rotated by {Rotation} degrees, which FFmpeg cannot store in Matroska; {Output} will show the frames as stored. Write .mp4 or .mov to keep the rotation")]
    private static partial void LogRotationLost(ILogger logger, string source, int rotation, string output);
}
