namespace StableVsr.Weights;

/// <summary>
/// What a checkpoint says about one tensor, known without reading its values.
/// </summary>
/// <param name="Name">The key (e.g. <c>down_blocks.0.resnets.0.conv1.weight</c>).</param>
/// <param name="DType">The stored element type.</param>
/// <param name="Shape">The shape; empty for a scalar.</param>
/// <param name="ByteLength">The stored size in bytes (elements x element size).</param>
internal sealed record TensorInfo(string Name, TensorDType DType, long[] Shape, long ByteLength)
{
    /// <summary>The number of elements (1 for a scalar).</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>The TorchSharp scalar type the tensor is stored as.</summary>
    public TorchSharp.torch.ScalarType ScalarType => DType.ToScalarType();

    /// <summary>The shape as text, e.g. <c>[320, 4, 3, 3]</c>.</summary>
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}
