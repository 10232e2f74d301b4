using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace StableVsr.IO;

/// <summary>
/// Writes frames as PNG files into a folder. Each file is encoded into a hidden temporary file in the same folder and
/// renamed into place, so a reader never sees a half-written PNG and an interrupted run leaves only whole files.
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
                await image.SaveAsPngAsync(temporary, encoder, cancellationToken).ConfigureAwait(false);
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

    /// <summary>Nothing to do: every frame is final once written (each file is renamed into place whole).</summary>
    public ValueTask CommitAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    /// <summary>Nothing to finish: every frame is complete once written.</summary>
    public ValueTask CompleteAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
