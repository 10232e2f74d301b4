namespace StableVsr.Weights.Pickle;

/// <summary>A tensor storage named by a pickle's persistent id: the archive member <c>data/{Key}</c>.</summary>
/// <param name="Key">The storage key (the member's file name).</param>
/// <param name="DType">The element type of the storage class (<c>torch.FloatStorage</c> is F32).</param>
/// <param name="ElementCount">The number of elements the pickle says it holds.</param>
internal sealed record StorageRef(string Key, TensorDType DType, long ElementCount);
