namespace StableVsr.Weights.Inspection;

/// <summary>The tensors of one weight file (or shard index) as its header describes them.</summary>
/// <param name="FileName">The file name.</param>
/// <param name="Format">safetensors, sharded, or PyTorch pickle.</param>
/// <param name="Tensors">Every tensor, in file order.</param>
internal sealed record WeightFileReport(string FileName, string Format, IReadOnlyList<TensorInfo> Tensors)
{
    /// <summary>The bytes of tensor data.</summary>
    public long TensorBytes => Tensors.Sum(t => t.ByteLength);

    /// <summary>The number of elements over all tensors.</summary>
    public long ParameterCount => Tensors.Sum(t => t.ElementCount);
}
