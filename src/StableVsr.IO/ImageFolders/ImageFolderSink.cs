using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace StableVsr.IO;

/// <summary>
/// Writes frames as PNG files into a folder. Each file is encoded into a hidden temporary file in the same folder,
/// flushed to the disk and renamed into place, so a reader never sees a half-written PNG and an interrupted run leaves
/// only whole files; <see cref="CommitAsync"/> flushes the folder itself, so the committed frames survive a power cut.
/// </summary>
public sealed class ImageFolderSink : IFrameSink
{
    private readonly PngEncoder encoder = new() { CompressionLevel = PngCompressionLevel.DefaultCompression };
    private readonly List<string> written = [];

    /// <summary>Creates a sink for <paramref name="folder"/>, creating the folder when needed.</summary>
    /// <exception cref="InvalidInputException">The path exists and is a file.</exception>
    public ImageFolderSink(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (File.Exists(folder))
        {
            throw new InvalidInputException($"Output path '{folder}' is a file; give a folder.");
        }

        Directory.CreateDirectory(folder);
        Folder = folder;
    }

    /// <summary>The output folder.</summary>
    public string Folder { get; }

    /// <inheritdoc />
    public string Description => Folder;

    /// <summary>The files written so far, in frame order.</summary>
    public IReadOnlyList<string> WrittenFiles => written;

    /// <summary>The file name a frame gets: its <see cref="VideoFrame.Name"/> with a .png extension, else frame_NNNNNN.png.</summary>
    public static string FileNameFor(VideoFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        return frame.Name is { Length: > 0 } name
            ? Path.GetFileNameWithoutExtension(name) + ".png"
            : $"frame_{frame.Index:D6}.png";
    }

    /// <summary>Writes one frame atomically as <see cref="FileNameFor"/> names it.</summary>
    /// <exception cref="InvalidInputException">The file cannot be written (disk full, no permission).</exception>
    public async ValueTask WriteAsync(VideoFrame frame, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(frame);
        cancellationToken.ThrowIfCancellationRequested();
        var target = Path.Combine(Folder, FileNameFor(frame));
        var temporary = Path.Combine(Folder, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.partial");
        try
        {
            using (var image = Image.LoadPixelData<Rgb24>(frame.Rgb.Span, frame.Width, frame.Height))
            {
                var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
                await using (file.ConfigureAwait(false))
                {
                    await image.SaveAsPngAsync(file, encoder, cancellationToken).ConfigureAwait(false);
                    file.Flush(flushToDisk: true);
                }
            }

            File.Move(temporary, target, overwrite: true);
            written.Add(target);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"Frame {frame.Index} cannot be written to '{target}': {e.Message}", e);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    /// <summary>
    /// Continues after <paramref name="committedFrames"/> frames an earlier run wrote: their PNGs are already final, so
    /// only temporary files a crash left behind are removed; frames written from now on replace any later files.
    /// </summary>
    public ValueTask ResumeAsync(int committedFrames, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(committedFrames);
        foreach (var partial in Directory.EnumerateFiles(Folder, ".*.partial"))
        {
            File.Delete(partial);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Flushes the folder: every frame written so far (each already whole on the disk) survives a power cut.</summary>
    /// <exception cref="InvalidInputException">The folder cannot be flushed.</exception>
    public ValueTask CommitAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            DurableFile.FlushFolder(Folder);
        }
        catch (IOException e)
        {
            throw new InvalidInputException($"The frames written to '{Folder}' cannot be made durable: {e.Message}", e);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Makes the output durable as <see cref="CommitAsync"/> does; every frame is complete once written.</summary>
    /// <exception cref="InvalidInputException">The folder cannot be flushed.</exception>
    public ValueTask CompleteAsync(CancellationToken cancellationToken = default) => CommitAsync(cancellationToken);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
