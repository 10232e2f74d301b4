using Microsoft.Extensions.Logging;

namespace StableVsr.Weights.Configs;

/// <summary>
/// The <c>config.json</c> of a diffusers <c>ControlNetModel</c> (diffusers 0.21 semantics), as
/// <c>ControlNetModel.from_unet</c> writes it: the UNet's encoder half plus the conditioning embedding. Keys that
/// would ask for a different network are refused with <see cref="UnsupportedConfigException"/>; defaults are
/// diffusers' defaults. Per-block lists hold one value per entry of <see cref="DownBlockTypes"/>.
/// </summary>
internal sealed record ControlNetConfig
{
    /// <summary>The diffusers class this config describes.</summary>
    public const string ClassName = "ControlNetModel";

    /// <summary>The file the config was read from, for error messages; null when built in code.</summary>
    public string? Source { get; init; }

    /// <summary><c>in_channels</c>: channels of the noisy sample.</summary>
    public int InChannels { get; init; } = 4;

    /// <summary><c>conditioning_channels</c>: channels of the conditioning image.</summary>
    public int ConditioningChannels { get; init; } = 3;

    /// <summary><c>flip_sin_to_cos</c>: puts the cosine half of the timestep embedding first.</summary>
    public bool FlipSinToCos { get; init; } = true;

    /// <summary><c>freq_shift</c>: the frequency shift of the sinusoidal timestep embedding.</summary>
    public double FreqShift { get; init; }

    /// <summary><c>down_block_types</c>.</summary>
    public IReadOnlyList<string> DownBlockTypes { get; init; } = ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"];

    /// <summary><c>only_cross_attention</c> per down block.</summary>
    public IReadOnlyList<bool> OnlyCrossAttention { get; init; } = [false, false, false, false];

    /// <summary><c>block_out_channels</c>.</summary>
    public IReadOnlyList<int> BlockOutChannels { get; init; } = [320, 640, 1280, 1280];

    /// <summary><c>layers_per_block</c> (one value for every block, as diffusers' ControlNet requires).</summary>
    public int LayersPerBlock { get; init; } = 2;

    /// <summary><c>downsample_padding</c>.</summary>
    public int DownsamplePadding { get; init; } = 1;

    /// <summary><c>mid_block_scale_factor</c>.</summary>
    public double MidBlockScaleFactor { get; init; } = 1.0;

    /// <summary><c>act_fn</c>.</summary>
    public string ActFn { get; init; } = "silu";

    /// <summary><c>norm_num_groups</c>.</summary>
    public int NormNumGroups { get; init; } = 32;

    /// <summary><c>norm_eps</c>.</summary>
    public double NormEps { get; init; } = 1e-5;

    /// <summary><c>cross_attention_dim</c> (one value for every block, as diffusers' ControlNet requires).</summary>
    public int CrossAttentionDim { get; init; } = 1280;

    /// <summary><c>transformer_layers_per_block</c> per down block.</summary>
    public IReadOnlyList<int> TransformerLayersPerBlock { get; init; } = [1, 1, 1, 1];

    /// <summary><c>attention_head_dim</c> per down block: the number of heads when <see cref="NumAttentionHeads"/> is null (diffusers' naming).</summary>
    public IReadOnlyList<int> AttentionHeadDim { get; init; } = [8, 8, 8, 8];

    /// <summary><c>num_attention_heads</c> per down block, or null to take <see cref="AttentionHeadDim"/> (diffusers 0.21's rule).</summary>
    public IReadOnlyList<int>? NumAttentionHeads { get; init; }

    /// <summary><c>use_linear_projection</c>.</summary>
    public bool UseLinearProjection { get; init; }

    /// <summary><c>num_class_embeds</c>: size of the class-label embedding; null for none.</summary>
    public int? NumClassEmbeds { get; init; }

    /// <summary><c>upcast_attention</c>.</summary>
    public bool UpcastAttention { get; init; }

    /// <summary><c>controlnet_conditioning_channel_order</c>: <c>rgb</c>, or <c>bgr</c> to flip the conditioning image's channels first.</summary>
    public string ControlnetConditioningChannelOrder { get; init; } = "rgb";

    /// <summary><c>conditioning_embedding_out_channels</c>: widths of the conditioning embedding's stages.</summary>
    public IReadOnlyList<int> ConditioningEmbeddingOutChannels { get; init; } = [16, 32, 96, 256];

    /// <summary><c>global_pool_conditions</c>: averages every residual over its spatial dimensions.</summary>
    public bool GlobalPoolConditions { get; init; }

    /// <summary>The number of attention heads of each down block (and of the mid block: the last value).</summary>
    public IReadOnlyList<int> HeadsPerBlock => NumAttentionHeads ?? AttentionHeadDim;

    /// <summary>Reads a <c>config.json</c> file.</summary>
    /// <exception cref="ConfigException">The file is missing or malformed, or a value has the wrong type or count.</exception>
    /// <exception cref="UnsupportedConfigException">A key asks for something StableVsr does not implement.</exception>
    public static ControlNetConfig Load(string path, ILogger? logger = null) => FromDocument(ConfigDocument.Load(path), logger);

    /// <summary>Reads the config from a parsed document.</summary>
    /// <exception cref="ConfigException">A value has the wrong type or count.</exception>
    /// <exception cref="UnsupportedConfigException">A key asks for something StableVsr does not implement.</exception>
    public static ControlNetConfig FromDocument(ConfigDocument doc, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(doc);
        ModelConfigReader.RequireClassName(doc, ClassName);
        var defaults = new ControlNetConfig();
        var down = doc.GetStringList("down_block_types", defaults.DownBlockTypes)!;
        var blocks = down.Count;

        RefuseUnimplemented(doc);

        var config = new ControlNetConfig
        {
            Source = doc.Source,
            InChannels = doc.GetInt("in_channels", defaults.InChannels),
            ConditioningChannels = doc.GetInt("conditioning_channels", defaults.ConditioningChannels),
            FlipSinToCos = doc.GetBool("flip_sin_to_cos", defaults.FlipSinToCos),
            FreqShift = doc.GetDouble("freq_shift", defaults.FreqShift),
            DownBlockTypes = down,
            OnlyCrossAttention = ModelConfigReader.PerBlockBools(doc, "only_cross_attention", false, blocks),
            BlockOutChannels = doc.GetIntList("block_out_channels", defaults.BlockOutChannels)!,
            LayersPerBlock = doc.GetInt("layers_per_block", defaults.LayersPerBlock),
            DownsamplePadding = doc.GetInt("downsample_padding", defaults.DownsamplePadding),
            MidBlockScaleFactor = doc.GetDouble("mid_block_scale_factor", defaults.MidBlockScaleFactor),
            ActFn = doc.GetString("act_fn", defaults.ActFn),
            NormNumGroups = ModelConfigReader.RequireNonNullInt(doc, "norm_num_groups", defaults.NormNumGroups, "Blocks without group normalization are not implemented."),
            NormEps = doc.GetDouble("norm_eps", defaults.NormEps),
            CrossAttentionDim = doc.GetInt("cross_attention_dim", defaults.CrossAttentionDim),
            TransformerLayersPerBlock = ModelConfigReader.PerBlockInts(doc, "transformer_layers_per_block", 1, blocks),
            AttentionHeadDim = ModelConfigReader.PerBlockInts(doc, "attention_head_dim", 8, blocks),
            NumAttentionHeads = doc.Has("num_attention_heads") ? ModelConfigReader.PerBlockInts(doc, "num_attention_heads", 0, blocks) : null,
            UseLinearProjection = doc.GetBool("use_linear_projection", defaults.UseLinearProjection),
            NumClassEmbeds = doc.GetNullableInt("num_class_embeds"),
            UpcastAttention = doc.GetBool("upcast_attention", defaults.UpcastAttention),
            ControlnetConditioningChannelOrder = ModelConfigReader.RequireOneOf(
                doc, "controlnet_conditioning_channel_order", defaults.ControlnetConditioningChannelOrder, ["rgb", "bgr"], "diffusers knows only 'rgb' and 'bgr'."),
            ConditioningEmbeddingOutChannels = doc.GetIntList("conditioning_embedding_out_channels", defaults.ConditioningEmbeddingOutChannels)!,
            GlobalPoolConditions = doc.GetBool("global_pool_conditions", defaults.GlobalPoolConditions),
        };

        config.Validate();
        doc.LogUnknownKeys(logger);
        return config;
    }

    /// <summary>Checks that the per-block lists agree in length and that channels divide into groups and heads.</summary>
    /// <exception cref="ConfigException">The values are inconsistent.</exception>
    public void Validate()
    {
        var blocks = DownBlockTypes.Count;
        if (blocks == 0)
        {
            throw new ConfigException($"Config '{Source}': 'down_block_types' is empty; a ControlNet needs at least one block.", Source, "down_block_types");
        }

        ModelConfigChecks.CheckPerBlockCount(Source, "block_out_channels", BlockOutChannels.Count, blocks);
        ModelConfigChecks.CheckPerBlockCount(Source, "only_cross_attention", OnlyCrossAttention.Count, blocks);
        ModelConfigChecks.CheckPerBlockCount(Source, "transformer_layers_per_block", TransformerLayersPerBlock.Count, blocks);
        ModelConfigChecks.CheckPerBlockCount(Source, "attention_head_dim", AttentionHeadDim.Count, blocks);
        if (NumAttentionHeads is not null)
        {
            ModelConfigChecks.CheckPerBlockCount(Source, "num_attention_heads", NumAttentionHeads.Count, blocks);
        }

        ModelConfigChecks.CheckChannels(Source, BlockOutChannels, NormNumGroups, HeadsPerBlock);
        ModelConfigChecks.CheckPositive(Source, "in_channels", InChannels);
        ModelConfigChecks.CheckPositive(Source, "conditioning_channels", ConditioningChannels);
        ModelConfigChecks.CheckPositive(Source, "layers_per_block", LayersPerBlock);
        ModelConfigChecks.CheckPositive(Source, "cross_attention_dim", CrossAttentionDim);
        if (ConditioningEmbeddingOutChannels.Count == 0)
        {
            throw new ConfigException($"Config '{Source}': 'conditioning_embedding_out_channels' is empty.", Source, "conditioning_embedding_out_channels");
        }

        foreach (var channels in ConditioningEmbeddingOutChannels)
        {
            ModelConfigChecks.CheckPositive(Source, "conditioning_embedding_out_channels", channels);
        }

        ModelConfigChecks.CheckClassEmbeds(Source, NumClassEmbeds);
    }

    private static void RefuseUnimplemented(ConfigDocument doc)
    {
        ModelConfigReader.RequireNull(doc, "encoder_hid_dim", "Projecting the encoder hidden states is not implemented.");
        ModelConfigReader.RequireNull(doc, "encoder_hid_dim_type", "Projecting the encoder hidden states is not implemented.");
        ModelConfigReader.RequireNull(doc, "class_embed_type", "Only the plain class embedding of 'num_class_embeds' is implemented.");
        ModelConfigReader.RequireNull(doc, "addition_embed_type", "Additional embeddings (SDXL) are not implemented.");
        ModelConfigReader.RequireOneOf(doc, "resnet_time_scale_shift", "default", ["default"], "Only the 'default' time embedding norm of ResnetBlock2D is implemented.");

        // These only configure embeddings refused above, so they cannot change the network.
        ModelConfigReader.Ignore(doc, "addition_time_embed_dim", "addition_embed_type_num_heads", "projection_class_embeddings_input_dim");
    }
}
