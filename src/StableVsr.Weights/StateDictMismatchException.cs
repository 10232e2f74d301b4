namespace StableVsr.Weights;

/// <summary>
/// A checkpoint does not fit a module: parameters or buffers are missing from it, have another shape, or two
/// checkpoint keys claim the same parameter. Every problem is listed at once; the module was left unchanged.
/// </summary>
public class StateDictMismatchException : ModelLoadException
{
    /// <summary>Creates the exception for the checkpoint <paramref name="path"/> (when known).</summary>
    public StateDictMismatchException(
        string? path,
        IReadOnlyList<string> missingKeys,
        IReadOnlyList<ShapeMismatch> shapeMismatches,
        IReadOnlyList<string> conflicts)
        : base(BuildMessage(path, missingKeys, shapeMismatches, conflicts), path)
    {
        MissingKeys = missingKeys;
        ShapeMismatches = shapeMismatches;
        Conflicts = conflicts;
    }

    /// <summary>Module keys the checkpoint has no tensor for.</summary>
    public IReadOnlyList<string> MissingKeys { get; }

    /// <summary>Keys whose shapes differ.</summary>
    public IReadOnlyList<ShapeMismatch> ShapeMismatches { get; }

    /// <summary>Descriptions of module keys claimed by more than one checkpoint key.</summary>
    public IReadOnlyList<string> Conflicts { get; }

    private static string BuildMessage(string? path, IReadOnlyList<string> missing, IReadOnlyList<ShapeMismatch> mismatches, IReadOnlyList<string> conflicts)
    {
        var text = new System.Text.StringBuilder();
        text.Append("The checkpoint").Append(path is null ? string.Empty : $" '{path}'")
            .Append(" does not match the model (")
            .Append(missing.Count).Append(" missing, ")
            .Append(mismatches.Count).Append(" with another shape, ")
            .Append(conflicts.Count).Append(" conflicting). Check that the model config belongs to these weights.");
        Append(text, "Missing keys", missing);
        Append(text, "Shape mismatches", mismatches.Select(m => m.ToString()).ToArray());
        Append(text, "Conflicts", conflicts);
        return text.ToString();
    }

    private static void Append(System.Text.StringBuilder text, string title, IReadOnlyList<string> items)
    {
        if (items.Count == 0)
        {
            return;
        }

        text.AppendLine().Append(title).Append(':');
        foreach (var item in items)
        {
            text.AppendLine().Append("  ").Append(item);
        }
    }
}
