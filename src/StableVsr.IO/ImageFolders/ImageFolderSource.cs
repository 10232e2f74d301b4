using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace StableVsr.IO;

/// <summary>
/// Reads a sequence from a folder of PNG, JPEG or BMP images, ordered by the natural order of their file names
/// (frame2.png before frame10.png). Hidden files and other extensions are ignored. Images are decoded one at a time,
/// off the caller's thread, as the frames are enumerated.
/// </summary>
public sealed class ImageFolderSource : IFrameSource
{
    /// <summary>A source over <paramref name="folder"/>; the folder is checked when reading starts.</summary>
    public ImageFolderSource(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        Folder = folder;
    }

    /// <summary>The folder read.</summary>
    public string Folder { get; }

    /// <inheritdoc />
    public string Description => Folder;

    /// <summary>The number of supported images in the folder.</summary>
    /// <exception cref="InvalidInputException">The folder does not exist or holds no supported image.</exception>
    public ValueTask<int?> CountFramesAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult<int?>(ListFrameFiles(Folder).Count);

    /// <summary>File extensions read as frames (lower case, with the dot).</summary>
    public static IReadOnlyList<string> SupportedExtensions { get; } = [".png", ".jpg", ".jpeg", ".bmp"];

    /// <summary>Lists the image files of a folder in natural order.</summary>
    /// <exception cref="InvalidInputException">The folder does not exist or holds no supported image.</exception>
    public static IReadOnlyList<string> ListFrameFiles(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (!Directory.Exists(folder))
        {
            throw new InvalidInputException($"Input folder '{folder}' does not exist.");
        }

        var files = Directory.EnumerateFiles(folder)
            .Where(IsFrameFile)
            .OrderBy(f => Path.GetFileName(f), NaturalSortComparer.Instance)
            .ToArray();
        if (files.Length == 0)
        {
            throw new InvalidInputException(
                $"Input folder '{folder}' holds no frames: put the sequence's frames there as PNG, JPEG or BMP files ({string.Join(", ", SupportedExtensions)}).");
        }

        return files;
    }

    /// <summary>Reads one image file as an 8-bit RGB frame.</summary>
    /// <exception cref="InvalidInputException">The file is missing, corrupt or not a supported image.</exception>
    public static VideoFrame ReadFrame(string path, int index = 0)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            using var image = Image.Load<Rgb24>(path);
            var rgb = new byte[image.Width * image.Height * 3];
            image.CopyPixelDataTo(rgb);
            return new VideoFrame(image.Width, image.Height, rgb, index, Path.GetFileName(path));
        }
        catch (Exception e) when (e is UnknownImageFormatException or InvalidImageContentException or ImageFormatException or NotSupportedException)
        {
            throw new InvalidInputException($"Image '{path}' is corrupt or not a supported image (PNG, JPEG, BMP): {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"Image '{path}' cannot be read: {e.Message}", e);
        }
    }

    /// <summary>
    /// The frame size of the folder's sequence from every image's header (no pixels are decoded, so a whole folder is
    /// checked in milliseconds per thousand frames): refuses, before any work, the files that are not images, are cut
    /// short before their pixels, or differ in size from the first.
    /// </summary>
    /// <exception cref="InvalidInputException">No frames, a file whose header cannot be read, or frames of mixed sizes (the message names the file).</exception>
    internal static (int Width, int Height, int Count) SurveyFrames(string folder)
    {
        var files = ListFrameFiles(folder);
        (int Width, int Height)? first = null;
        foreach (var file in files)
        {
            IImageInfo info;
            bool cutShort;
            try
            {
                info = Image.Identify(file) ?? throw new UnknownImageFormatException("no image format recognised");
                cutShort = IsCutShort(file, info);
            }
            catch (Exception e) when (e is UnknownImageFormatException or InvalidImageContentException or ImageFormatException or NotSupportedException)
            {
                throw new InvalidInputException($"Image '{file}' is corrupt or not a supported image (PNG, JPEG, BMP): {e.Message}. Replace or remove it; nothing was written.", e);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new InvalidInputException($"Image '{file}' cannot be read: {e.Message}", e);
            }

            var size = (info.Width, info.Height);
            if (cutShort)
            {
                throw new InvalidInputException($"Image '{file}' is cut short ({new FileInfo(file).Length} bytes for a {info.Width}x{info.Height} image). Replace or remove it; nothing was written.");
            }

            first ??= size;
            if (size != first)
            {
                throw new InvalidInputException(
                    $"Frames of a sequence must all have the same size: '{file}' is {info.Width}x{info.Height}, '{files[0]}' is {first.Value.Width}x{first.Value.Height}. Resize them first or upscale them as separate sequences; nothing was written.");
            }
        }

        return (first!.Value.Width, first.Value.Height, files.Count);
    }

    /// <summary>Whether a folder holds at least one supported image (a sequence), without reading any.</summary>
    public static bool HoldsFrames(string folder) =>
        Directory.Exists(folder) && Directory.EnumerateFiles(folder).Any(IsFrameFile);

    /// <summary>
    /// Reads every frame of the folder in natural order, checking that all have the size of the first.
    /// </summary>
    /// <exception cref="InvalidInputException">No frames, a corrupt file, or frames of mixed sizes (the message names the file).</exception>
    public async IAsyncEnumerable<VideoFrame> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var files = ListFrameFiles(Folder);
        VideoFrame? first = null;
        for (var i = 0; i < files.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var frame = await Task.Run(() => ReadFrame(files[i], i), cancellationToken).ConfigureAwait(false);
            first ??= frame;
            if (frame.Width != first.Width || frame.Height != first.Height)
            {
                throw new InvalidInputException(
                    $"Frames of a sequence must all have the same size: '{files[i]}' is {frame.Width}x{frame.Height}, '{files[0]}' is {first.Width}x{first.Height}.");
            }

            yield return frame;
        }
    }

    /// <summary>A hash of the frame files' names, sizes and modification times, in reading order.</summary>
    /// <exception cref="InvalidInputException">The folder does not exist or holds no supported image.</exception>
    public ValueTask<string> FingerprintAsync(CancellationToken cancellationToken = default)
    {
        var text = new StringBuilder();
        foreach (var file in ListFrameFiles(Folder))
        {
            var info = new FileInfo(file);
            text.Append(CultureInfo.InvariantCulture, $"{info.Name}\t{info.Length}\t{info.LastWriteTimeUtc.Ticks}\n");
        }

        return ValueTask.FromResult("folder:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()))));
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    // A PNG ends with its IEND chunk; a BMP holds its rows. (A JPEG may carry bytes after its end marker: not checked.)
    private static bool IsCutShort(string file, IImageInfo info)
    {
        ReadOnlySpan<byte> pngEnd = [0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82];
        using var stream = File.OpenRead(file);
        var extension = Path.GetExtension(file).ToLowerInvariant();
        if (extension == ".png")
        {
            if (stream.Length < pngEnd.Length)
            {
                return true;
            }

            Span<byte> tail = stackalloc byte[8];
            stream.Seek(-tail.Length, SeekOrigin.End);
            stream.ReadExactly(tail);
            return !tail.SequenceEqual(pngEnd);
        }

        if (extension == ".bmp" && info.PixelType.BitsPerPixel > 0)
        {
            var stride = ((((long)info.Width * info.PixelType.BitsPerPixel) + 31) / 32) * 4;
            return stream.Length < stride * info.Height;
        }

        return false;
    }

    private static bool IsFrameFile(string path) =>
        !Path.GetFileName(path).StartsWith('.') && SupportedExtensions.Contains(Path.GetExtension(path).ToLowerInvariant());
}
