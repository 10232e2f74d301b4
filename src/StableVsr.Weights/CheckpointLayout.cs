namespace StableVsr.Weights;

/// <summary>
/// The one place that knows the file names of a diffusers checkpoint: config and weight files of each model folder,
/// the scheduler config and the tokenizer files of a StableVSR folder. Everything that looks for or downloads
/// checkpoint files asks here.
/// </summary>
internal static class CheckpointLayout
{
    /// <summary>The config file of a diffusers or transformers model folder.</summary>
    public const string ConfigFileName = "config.json";

    /// <summary>The config file of a scheduler folder.</summary>
    public const string SchedulerConfigFileName = "scheduler_config.json";

    /// <summary>The scheduler config of a pipeline folder, relative to the folder.</summary>
    public const string SchedulerConfigPath = "scheduler/" + SchedulerConfigFileName;

    /// <summary>The settings file of a tokenizer folder.</summary>
    public const string TokenizerConfigFileName = "tokenizer_config.json";

    /// <summary>The BPE vocabulary of a tokenizer folder.</summary>
    public const string VocabFileName = "vocab.json";

    /// <summary>The BPE merges of a tokenizer folder.</summary>
    public const string MergesFileName = "merges.txt";

    /// <summary>The special tokens of a tokenizer folder.</summary>
    public const string SpecialTokensMapFileName = "special_tokens_map.json";

    /// <summary>The tokenizer's subfolder in a pipeline folder.</summary>
    public const string TokenizerFolder = "tokenizer";

    /// <summary>The UNet's subfolder in a pipeline folder.</summary>
    public const string UnetFolder = "unet";

    /// <summary>The ControlNet's subfolder in a StableVSR folder.</summary>
    public const string ControlNetFolder = "controlnet";

    /// <summary>The VAE's subfolder in a pipeline folder.</summary>
    public const string VaeFolder = "vae";

    /// <summary>The text encoder's subfolder in a pipeline folder.</summary>
    public const string TextEncoderFolder = "text_encoder";

    /// <summary>Weight files diffusers writes for a model (UNet, ControlNet, VAE), single files first, safetensors first.</summary>
    public static IReadOnlyList<string> DiffusersWeightNames { get; } =
        ["diffusion_pytorch_model.safetensors", "diffusion_pytorch_model.bin"];

    /// <summary>Weight files transformers writes for a model (the CLIP text encoder), single files first, safetensors first.</summary>
    public static IReadOnlyList<string> TransformersWeightNames { get; } = ["model.safetensors", "pytorch_model.bin"];

    /// <summary>
    /// The weight file names looked for in a model folder, in order of preference: safetensors before pickles
    /// (they cannot run code and load without a copy), single files before sharded ones (a shard index is the file
    /// name plus <c>.index.json</c>).
    /// </summary>
    public static IReadOnlyList<string> FolderWeightNames { get; } =
    [
        DiffusersWeightNames[0], TransformersWeightNames[0],
        DiffusersWeightNames[0] + ".index.json", TransformersWeightNames[0] + ".index.json",
        DiffusersWeightNames[1], TransformersWeightNames[1],
        DiffusersWeightNames[1] + ".index.json", TransformersWeightNames[1] + ".index.json",
    ];

    /// <summary>The tokenizer files of a StableVSR folder (CLIP's BPE vocabulary and its settings).</summary>
    public static IReadOnlyList<string> TokenizerFiles { get; } =
        [VocabFileName, MergesFileName, TokenizerConfigFileName, SpecialTokensMapFileName];

    /// <summary>The model subfolders of a StableVSR folder, with the weight file names each may hold (preferred first).</summary>
    public static IReadOnlyList<(string Folder, IReadOnlyList<string> WeightNames)> ModelFolders { get; } =
    [
        (UnetFolder, DiffusersWeightNames),
        (ControlNetFolder, DiffusersWeightNames),
        (VaeFolder, DiffusersWeightNames),
        (TextEncoderFolder, TransformersWeightNames),
    ];

    /// <summary>Every file of a StableVSR folder other than model weights, relative to the folder.</summary>
    public static IReadOnlyList<string> RequiredFiles { get; } =
    [
        .. ModelFolders.Select(m => $"{m.Folder}/{ConfigFileName}"),
        SchedulerConfigPath,
        .. TokenizerFiles.Select(f => $"{TokenizerFolder}/{f}"),
    ];

    /// <summary>The preferred weight file of a model folder (see <see cref="FolderWeightNames"/>), or null when it has none.</summary>
    public static string? FindWeights(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        return FolderWeightNames.Select(n => Path.Combine(Path.GetFullPath(folder), n)).FirstOrDefault(File.Exists);
    }
}
