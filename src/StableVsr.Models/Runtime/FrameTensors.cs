using TorchSharp;
using static TorchSharp.torch;

namespace StableVsr.Models.Runtime;

/// <summary>
/// Conversions between <see cref="VideoFrame"/>s and float tensors of shape [N, 3, H, W], done the way the
/// reference does them: 8-bit to float as <c>x / 255</c> (then <c>2x - 1</c> for [-1, 1]), float to 8-bit as
/// <c>round(clamp(x, 0, 1) * 255)</c> with round half to even, after <c>x / 2 + 0.5</c> for [-1, 1].
/// </summary>
internal static class FrameTensors
{
    // Held for the life of the process: a temporary Scalar (div(255f)) can be freed by a collection while libtorch
    // still reads it (SVSR001).
    private static readonly Scalar Zero = 0f;
    private static readonly Scalar Half = 0.5f;
    private static readonly Scalar One = 1f;
    private static readonly Scalar Two = 2f;
    private static readonly Scalar MaxByte = 255f;
    private static readonly Scalar UnitAlpha = 1;

    /// <summary>Stacks frames of equal size into a float32 tensor [N, 3, H, W] in <paramref name="range"/>.</summary>
    /// <exception cref="InvalidInputException">No frames, or frames of different sizes.</exception>
    public static Tensor ToTensor(IReadOnlyList<VideoFrame> frames, PixelRange range = PixelRange.MinusOneToOne, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(frames);
        if (frames.Count == 0)
        {
            throw new InvalidInputException("Cannot make a tensor from zero frames.");
        }

        var (width, height) = (frames[0].Width, frames[0].Height);
        var bytes = new byte[(long)frames.Count * width * height * 3];
        for (var i = 0; i < frames.Count; i++)
        {
            var frame = frames[i];
            if (frame.Width != width || frame.Height != height)
            {
                throw new InvalidInputException(
                    $"Frames must all have the same size: frame {frame.Index} is {frame.Width}x{frame.Height}, frame {frames[0].Index} is {width}x{height}.");
            }

            frame.Rgb.Span.CopyTo(bytes.AsSpan(i * width * height * 3));
        }

        using var scope = NewDisposeScope();
        var hwc = tensor(bytes, [frames.Count, height, width, 3], ScalarType.Byte);
        var unit = hwc.permute(0, 3, 1, 2).to(ScalarType.Float32).div(MaxByte);
        var result = range == PixelRange.MinusOneToOne ? unit.mul(Two).sub(One) : unit;
        result = result.contiguous();
        if (device is not null)
        {
            result = result.to(device);
        }

        return result.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Converts a float tensor [N, 3, H, W] (or [3, H, W]) in <paramref name="range"/> to 8-bit frames, numbered from
    /// <paramref name="firstIndex"/>.
    /// </summary>
    /// <exception cref="InvalidInputException">The tensor does not have 3 channels in dimension 1.</exception>
    public static IReadOnlyList<VideoFrame> ToFrames(Tensor images, PixelRange range = PixelRange.MinusOneToOne, int firstIndex = 0)
    {
        ArgumentNullException.ThrowIfNull(images);
        using var scope = NewDisposeScope();
        var batch = images.dim() == 3 ? images.unsqueeze(0) : images;
        if (batch.dim() != 4 || batch.shape[1] != 3)
        {
            throw new InvalidInputException($"Expected an image tensor [N, 3, H, W], got [{string.Join(", ", images.shape)}].");
        }

        var (count, height, width) = ((int)batch.shape[0], (int)batch.shape[2], (int)batch.shape[3]);
        var bytes = ToBytes(batch, range);
        var frames = new VideoFrame[count];
        var frameBytes = width * height * 3;
        for (var i = 0; i < count; i++)
        {
            frames[i] = new VideoFrame(width, height, bytes.AsMemory(i * frameBytes, frameBytes), firstIndex + i);
        }

        return frames;
    }

    /// <summary>Converts a float image tensor [N, 3, H, W] to interleaved 8-bit RGB, N frames one after another.</summary>
    internal static byte[] ToBytes(Tensor batch, PixelRange range)
    {
        using var scope = NewDisposeScope();
        var x = batch.detach().to(ScalarType.Float32, CPU);
        if (range == PixelRange.MinusOneToOne)
        {
            x = x.div(Two).add(Half, UnitAlpha);
        }

        var u8 = x.clamp(Zero, One).mul(MaxByte).round().to(ScalarType.Byte).permute(0, 2, 3, 1).contiguous();
        return u8.data<byte>().ToArray();
    }
}
