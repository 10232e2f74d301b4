namespace StableVsr.Weights.Safetensors;

/// <summary>One tensor of a safetensors header.</summary>
/// <param name="Info">Its dtype, shape and size.</param>
/// <param name="Begin">Its first byte, relative to the start of the data area.</param>
internal sealed record SafetensorsEntry(TensorInfo Info, long Begin)
{
    /// <summary>One past its last byte, relative to the start of the data area.</summary>
    public long End => Begin + Info.ByteLength;
}
