using Microsoft.Extensions.Logging;

namespace StableVsr.Weights.Configs;

/// <summary>
/// The <c>config.json</c> of a diffusers <c>AutoencoderKL</c> (diffusers 0.21 semantics). Keys from later
/// diffusers versions that would change the network (no quant convolutions, no mid-block attention, latent
/// shift) are refused unless they hold the value that means "as in 0.21". Defaults are diffusers' defaults.
/// </summary>
internal sealed record AutoencoderKLConfig
{
    /// <summary>The diffusers class this config describes.</summary>
    public const string ClassName = "AutoencoderKL";

    /// <summary>The file the config was read from, for error messages; null when built in code.</summary>
    public string? Source { get; init; }

    /// <summary><c>in_channels</c>: channels of the images the encoder takes.</summary>
    public int InChannels { get; init; } = 3;

    /// <summary><c>out_channels</c>: channels of the images the decoder makes.</summary>
    public int OutChannels { get; init; } = 3;

    /// <summary><c>down_block_types</c> of the encoder.</summary>
    public IReadOnlyList<string> DownBlockTypes { get; init; } = ["DownEncoderBlock2D"];

    /// <summary><c>up_block_types</c> of the decoder.</summary>
    public IReadOnlyList<string> UpBlockTypes { get; init; } = ["UpDecoderBlock2D"];

    /// <summary><c>block_out_channels</c>; the image is downsampled by 2 between consecutive blocks.</summary>
    public IReadOnlyList<int> BlockOutChannels { get; init; } = [64];

    /// <summary><c>layers_per_block</c> of the encoder (the decoder has one more per block).</summary>
    public int LayersPerBlock { get; init; } = 1;

    /// <summary><c>act_fn</c>.</summary>
    public string ActFn { get; init; } = "silu";

    /// <summary><c>latent_channels</c>.</summary>
    public int LatentChannels { get; init; } = 4;

    /// <summary><c>norm_num_groups</c>.</summary>
    public int NormNumGroups { get; init; } = 32;

    /// <summary><c>scaling_factor</c>: latents are multiplied by it after encoding and divided by it before decoding.</summary>
    public double ScalingFactor { get; init; } = 0.18215;

    /// <summary><c>force_upcast</c>: the checkpoint is known to need float32 (diffusers' pipelines upcast it from float16).</summary>
    public bool ForceUpcast { get; init; } = true;

    /// <summary>How many times the encoder halves the image size (one less than the number of blocks).</summary>
    public int DownsamplingSteps => BlockOutChannels.Count - 1;

    /// <summary>Reads a <c>config.json</c> file.</summary>
    /// <exception cref="ConfigException">The file is missing or malformed, or a value has the wrong type or count.</exception>
    /// <exception cref="UnsupportedConfigException">A key asks for something StableVsr does not implement.</exception>
    public static AutoencoderKLConfig Load(string path, ILogger? logger = null) => FromDocument(ConfigDocument.Load(path), logger);

    /// <summary>Reads the config from a parsed document.</summary>
    /// <exception cref="ConfigException">A value has the wrong type or count.</exception>
    /// <exception cref="UnsupportedConfigException">A key asks for something StableVsr does not implement.</exception>
    public static AutoencoderKLConfig FromDocument(ConfigDocument doc, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(doc);
        ModelConfigReader.RequireClassName(doc, ClassName);
        var defaults = new AutoencoderKLConfig();

        ModelConfigReader.RequireBool(doc, "use_quant_conv", true, "A VAE without quant_conv is not implemented.");
        ModelConfigReader.RequireBool(doc, "use_post_quant_conv", true, "A VAE without post_quant_conv is not implemented.");
        ModelConfigReader.RequireBool(doc, "mid_block_add_attention", true, "A VAE without mid-block attention is not implemented.");
        ModelConfigReader.RequireNull(doc, "shift_factor", "Shifted latents are not implemented.");
        ModelConfigReader.RequireNull(doc, "latents_mean", "Per-channel latent statistics are not implemented.");
        ModelConfigReader.RequireNull(doc, "latents_std", "Per-channel latent statistics are not implemented.");

        // The tile size of diffusers' tiled encoding; StableVsr never tiles the VAE.
        ModelConfigReader.Ignore(doc, "sample_size");

        var config = new AutoencoderKLConfig
        {
            Source = doc.Source,
            InChannels = doc.GetInt("in_channels", defaults.InChannels),
            OutChannels = doc.GetInt("out_channels", defaults.OutChannels),
            DownBlockTypes = doc.GetStringList("down_block_types", defaults.DownBlockTypes)!,
            UpBlockTypes = doc.GetStringList("up_block_types", defaults.UpBlockTypes)!,
            BlockOutChannels = doc.GetIntList("block_out_channels", defaults.BlockOutChannels)!,
            LayersPerBlock = doc.GetInt("layers_per_block", defaults.LayersPerBlock),
            ActFn = doc.GetString("act_fn", defaults.ActFn),
            LatentChannels = doc.GetInt("latent_channels", defaults.LatentChannels),
            NormNumGroups = doc.GetInt("norm_num_groups", defaults.NormNumGroups),
            ScalingFactor = doc.GetDouble("scaling_factor", defaults.ScalingFactor),
            ForceUpcast = doc.GetBool("force_upcast", defaults.ForceUpcast),
        };

        config.Validate();
        doc.LogUnknownKeys(logger);
        return config;
    }

    /// <summary>Checks that the block lists agree in length and that channels divide into groups.</summary>
    /// <exception cref="ConfigException">The values are inconsistent.</exception>
    public void Validate()
    {
        var blocks = BlockOutChannels.Count;
        if (blocks == 0)
        {
            throw new ConfigException($"Config '{Source}': 'block_out_channels' is empty; a VAE needs at least one block.", Source, "block_out_channels");
        }

        if (DownBlockTypes.Count != blocks)
        {
            throw new ConfigException($"Config '{Source}': 'down_block_types' has {DownBlockTypes.Count} values; expected one per entry of 'block_out_channels' ({blocks}).", Source, "down_block_types");
        }

        if (UpBlockTypes.Count != blocks)
        {
            throw new ConfigException($"Config '{Source}': 'up_block_types' has {UpBlockTypes.Count} values; expected one per entry of 'block_out_channels' ({blocks}).", Source, "up_block_types");
        }

        ModelConfigChecks.CheckChannels(Source, BlockOutChannels, NormNumGroups, null);
        ModelConfigChecks.CheckPositive(Source, "in_channels", InChannels);
        ModelConfigChecks.CheckPositive(Source, "out_channels", OutChannels);
        ModelConfigChecks.CheckPositive(Source, "latent_channels", LatentChannels);
        ModelConfigChecks.CheckPositive(Source, "layers_per_block", LayersPerBlock);
        if (!(ScalingFactor > 0) || double.IsInfinity(ScalingFactor))
        {
            throw new ConfigException($"Config '{Source}': 'scaling_factor' is {ScalingFactor}; it must be a positive number.", Source, "scaling_factor");
        }
    }
}
