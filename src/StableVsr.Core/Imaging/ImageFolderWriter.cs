using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace StableVsr.Imaging;

/// <summary>
/// Writes frames as PNG files into a folder. Each file is encoded into a hidden temporary file in the same folder and
/// renamed into place, so a reader never sees a half-written PNG and an interrupted run leaves only whole files.
/// </summary>
public sealed class ImageFolderWriter
{
    private readonly PngEncoder encoder = new() { CompressionLevel = PngCompressionLevel.DefaultCompression };

    /// <summary>Creates a writer for <paramref name="folder"/>, creating the folder when needed.</summary>
    /// <exception cref="InvalidInputException">The path exists and is a file.</exception>
    public ImageFolderWriter(string folder)
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

    /// <summary>The file name a frame gets: its <see cref="VideoFrame.Name"/> with a .png extension, else frame_NNNNNN.png.</summary>
    public static string FileNameFor(VideoFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        return frame.Name is { Length: > 0 } name
            ? Path.GetFileNameWithoutExtension(name) + ".png"
            : $"frame_{frame.Index:D6}.png";
    }

    /// <summary>Writes one frame atomically and returns the path written.</summary>
    public async Task<string> WriteAsync(VideoFrame frame, CancellationToken cancellationToken = default)
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
            return target;
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }
}
