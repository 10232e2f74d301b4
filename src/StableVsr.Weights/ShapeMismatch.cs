namespace StableVsr.Weights;

/// <summary>A checkpoint tensor whose shape differs from the module's parameter or buffer of the same key.</summary>
/// <param name="Key">The module key.</param>
/// <param name="SourceKey">The checkpoint key (differs from <paramref name="Key"/> when it was renamed).</param>
/// <param name="Expected">The module's shape.</param>
/// <param name="Found">The checkpoint's shape.</param>
public sealed record ShapeMismatch(string Key, string SourceKey, long[] Expected, long[] Found)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"{Key}: module [{string.Join(", ", Expected)}], checkpoint [{string.Join(", ", Found)}]" +
        (Key == SourceKey ? string.Empty : $" (checkpoint key {SourceKey})");
}
