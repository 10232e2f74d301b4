using TorchSharp;

namespace StableVsr.Weights;

/// <summary>Exposes the memory of a contiguous CPU tensor as raw little-endian bytes, chunk by chunk, to fill or save it.</summary>
internal static class TensorBytes
{
    /// <summary>The largest span handed to a reader; TorchSharp exposes tensor memory as spans of at most 2 GiB.</summary>
    internal const int DefaultChunkBytes = 1 << 30;

    /// <summary>Whether raw bytes of <paramref name="dtype"/> can be copied into <paramref name="tensor"/> directly.</summary>
    public static bool CanFillDirectly(torch.Tensor tensor, TensorDType dtype) =>
        tensor.device_type == DeviceType.CPU && tensor.dtype == dtype.ToScalarType() && tensor.is_contiguous();

    /// <summary>
    /// Calls <paramref name="visit"/> with the byte offset within <paramref name="tensor"/> (contiguous, on the
    /// CPU) and a span over its memory from there, chunk by chunk in order; the callback fills or reads the span.
    /// </summary>
    public static void ForEachChunk(torch.Tensor tensor, TensorChunkVisitor visit, int chunkBytes = DefaultChunkBytes)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Checkpoints store little-endian values; StableVsr reads them on little-endian hosts only.");
        }

        var elementSize = (int)tensor.ElementSize;
        var total = tensor.numel();
        if (total == 0)
        {
            return;
        }

        var chunkElements = Math.Max(1, chunkBytes / elementSize);
        if (total <= chunkElements)
        {
            visit(0, tensor.bytes);
            return;
        }

        using var flat = tensor.view(-1);
        for (long start = 0; start < total; start += chunkElements)
        {
            var count = Math.Min(chunkElements, total - start);
            using var part = flat.narrow(0, start, count);
            visit(start * elementSize, part.bytes);
        }
    }
}
