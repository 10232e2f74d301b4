namespace StableVsr;

/// <summary>
/// One 8-bit RGB video frame: <see cref="Width"/> x <see cref="Height"/> pixels stored row by row as R, G, B bytes.
/// Frames are immutable; upscaled frames keep the <see cref="Index"/> and <see cref="Name"/> of their source.
/// </summary>
public sealed class VideoFrame
{
    /// <summary>Creates a frame from interleaved RGB bytes (length must be width x height x 3).</summary>
    /// <param name="width">Width in pixels (at least 1).</param>
    /// <param name="height">Height in pixels (at least 1).</param>
    /// <param name="rgb">Row-major interleaved R, G, B bytes. The frame keeps this memory; do not change it afterwards.</param>
    /// <param name="index">Position of the frame in its sequence (0-based).</param>
    /// <param name="name">Optional name, such as the source file name, used when frames are written to a folder.</param>
    /// <exception cref="InvalidInputException">A size is not positive or the byte count does not match the size.</exception>
    public VideoFrame(int width, int height, ReadOnlyMemory<byte> rgb, int index = 0, string? name = null)
    {
        if (width < 1 || height < 1)
        {
            throw new InvalidInputException($"A frame needs a positive size, got {width}x{height}.");
        }

        if (index < 0)
        {
            throw new InvalidInputException($"A frame index cannot be negative, got {index}.");
        }

        var expected = (long)width * height * 3;
        if (rgb.Length != expected)
        {
            throw new InvalidInputException(
                $"A {width}x{height} RGB frame needs {expected} bytes (width x height x 3), got {rgb.Length}.");
        }

        Width = width;
        Height = height;
        Rgb = rgb;
        Index = index;
        Name = name;
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Interleaved R, G, B bytes, row by row.</summary>
    public ReadOnlyMemory<byte> Rgb { get; }

    /// <summary>Position of the frame in its sequence (0-based).</summary>
    public int Index { get; }

    /// <summary>Optional name (for example the source file name), kept on upscaled frames.</summary>
    public string? Name { get; }

    /// <summary>Returns a frame with the same pixels and a different index and name.</summary>
    public VideoFrame WithIndex(int index, string? name = null) => new(Width, Height, Rgb, index, name ?? Name);

    /// <inheritdoc />
    public override string ToString() => $"VideoFrame #{Index} {Width}x{Height}{(Name is null ? string.Empty : " " + Name)}";
}
