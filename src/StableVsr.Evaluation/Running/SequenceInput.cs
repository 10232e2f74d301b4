namespace StableVsr.Evaluation.Running;

/// <summary>One sequence to evaluate: its frame files paired by position, checked and described.</summary>
/// <param name="Name">The sequence (folder) name.</param>
/// <param name="GroundTruthFiles">Ground-truth frames in natural order, as many as <paramref name="OutputFiles"/>; null when only no-reference metrics run.</param>
/// <param name="OutputFiles">Output frames in natural order.</param>
/// <param name="Width">Frame width.</param>
/// <param name="Height">Frame height.</param>
internal sealed record SequenceInput(string Name, IReadOnlyList<string>? GroundTruthFiles, IReadOnlyList<string> OutputFiles, int Width, int Height);
