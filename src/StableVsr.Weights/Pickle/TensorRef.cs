namespace StableVsr.Weights.Pickle;

/// <summary>A tensor rebuilt from a pickle: a strided view of a storage, described but not read.</summary>
/// <param name="Storage">The storage it views.</param>
/// <param name="Offset">Its first element within the storage.</param>
/// <param name="Shape">Its shape.</param>
/// <param name="Stride">Its stride, in elements.</param>
internal sealed record TensorRef(StorageRef Storage, long Offset, long[] Shape, long[] Stride)
{
    /// <summary>The number of elements.</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>Whether the view is the plain row-major layout of its shape, so its bytes are one contiguous run.</summary>
    public bool IsContiguous
    {
        get
        {
            long expected = 1;
            for (var d = Shape.Length - 1; d >= 0; d--)
            {
                if (Shape[d] != 1 && Stride[d] != expected)
                {
                    return false;
                }

                expected *= Shape[d];
            }

            return true;
        }
    }

    /// <summary>One past the largest storage element the view touches (its offset when it is empty).</summary>
    public long Extent => ElementCount == 0 ? Offset : Offset + 1 + Shape.Select((n, d) => (n - 1) * Stride[d]).Sum();
}
