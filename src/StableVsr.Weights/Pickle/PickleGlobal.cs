namespace StableVsr.Weights.Pickle;

/// <summary>A reference to one of the Python globals a state dict may name (a class or function, never called freely).</summary>
/// <param name="Module">The Python module (<c>torch._utils</c>).</param>
/// <param name="Name">The name inside it (<c>_rebuild_tensor_v2</c>).</param>
internal sealed record PickleGlobal(string Module, string Name)
{
    /// <inheritdoc />
    public override string ToString() => $"{Module}.{Name}";
}
