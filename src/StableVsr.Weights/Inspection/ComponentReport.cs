namespace StableVsr.Weights.Inspection;

/// <summary>One component of an inspected checkpoint (<c>unet</c>, <c>vae</c>, <c>scheduler</c>, ..., or a lone weight file).</summary>
/// <param name="Name">The component name (its folder or file name).</param>
/// <param name="Folder">Its folder, when it has one.</param>
/// <param name="ClassName">The class <c>model_index.json</c> gives it, when listed there.</param>
/// <param name="Files">Its files.</param>
/// <param name="Config">Its config, when it has one.</param>
/// <param name="Weights">Its weights, when they could be read.</param>
/// <param name="Problems">What is wrong with it.</param>
internal sealed record ComponentReport(
    string Name,
    string? Folder,
    string? ClassName,
    IReadOnlyList<FileEntry> Files,
    ConfigSummary? Config,
    WeightFileReport? Weights,
    IReadOnlyList<string> Problems);
