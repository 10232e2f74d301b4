using Microsoft.Extensions.Logging;

namespace StableVsr.Weights.Configs;

/// <summary>
/// The <c>config.json</c> of a diffusers <c>UNet2DConditionModel</c> (diffusers 0.21 semantics), limited to what
/// StableVsr builds. Keys that would ask for a different network (extra embeddings, other attention types,
/// <c>num_attention_heads</c>, ...) are refused with <see cref="UnsupportedConfigException"/> when read; keys that
/// have no effect on the blocks built here are accepted and ignored, as diffusers ignores them for these blocks.
/// Defaults are diffusers' defaults. Per-block lists always hold one value per entry of <see cref="DownBlockTypes"/>.
/// </summary>
internal sealed record UNet2DConditionConfig
{
    /// <summary>The diffusers class this config describes.</summary>
    public const string ClassName = "UNet2DConditionModel";

    /// <summary>The file the config was read from, for error messages; null when built in code.</summary>
    public string? Source { get; init; }

    /// <summary><c>in_channels</c>: channels of the noisy sample (7 for StableVSR: latent and LR frame).</summary>
    public int InChannels { get; init; } = 4;

    /// <summary><c>out_channels</c>: channels of the prediction.</summary>
    public int OutChannels { get; init; } = 4;

    /// <summary><c>center_input_sample</c>: maps the sample from [0, 1] to [-1, 1] first.</summary>
    public bool CenterInputSample { get; init; }

    /// <summary><c>flip_sin_to_cos</c>: puts the cosine half of the timestep embedding first.</summary>
    public bool FlipSinToCos { get; init; } = true;

    /// <summary><c>freq_shift</c>: the frequency shift of the sinusoidal timestep embedding.</summary>
    public double FreqShift { get; init; }

    /// <summary><c>down_block_types</c>, from the input side.</summary>
    public IReadOnlyList<string> DownBlockTypes { get; init; } = ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"];

    /// <summary><c>mid_block_type</c>.</summary>
    public string MidBlockType { get; init; } = "UNetMidBlock2DCrossAttn";

    /// <summary><c>up_block_types</c>, from the deepest block.</summary>
    public IReadOnlyList<string> UpBlockTypes { get; init; } = ["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"];

    /// <summary><c>only_cross_attention</c> per down block (the up blocks use it reversed): the first attention of each transformer block attends to the encoder states instead of itself.</summary>
    public IReadOnlyList<bool> OnlyCrossAttention { get; init; } = [false, false, false, false];

    /// <summary><c>block_out_channels</c>.</summary>
    public IReadOnlyList<int> BlockOutChannels { get; init; } = [320, 640, 1280, 1280];

    /// <summary><c>layers_per_block</c> per down block (up blocks have one more).</summary>
    public IReadOnlyList<int> LayersPerBlock { get; init; } = [2, 2, 2, 2];

    /// <summary><c>downsample_padding</c> of the downsampling convolutions.</summary>
    public int DownsamplePadding { get; init; } = 1;

    /// <summary><c>mid_block_scale_factor</c>: the output scale factor of the mid block's resnets.</summary>
    public double MidBlockScaleFactor { get; init; } = 1.0;

    /// <summary><c>act_fn</c>.</summary>
    public string ActFn { get; init; } = "silu";

    /// <summary><c>norm_num_groups</c>.</summary>
    public int NormNumGroups { get; init; } = 32;

    /// <summary><c>norm_eps</c>.</summary>
    public double NormEps { get; init; } = 1e-5;

    /// <summary><c>cross_attention_dim</c> per down block: the width of the encoder hidden states.</summary>
    public IReadOnlyList<int> CrossAttentionDim { get; init; } = [1280, 1280, 1280, 1280];

    /// <summary><c>transformer_layers_per_block</c> per down block.</summary>
    public IReadOnlyList<int> TransformerLayersPerBlock { get; init; } = [1, 1, 1, 1];

    /// <summary>
    /// <c>attention_head_dim</c> per down block. In diffusers 0.21 this is the NUMBER of attention heads of the
    /// cross-attention blocks (a historical misnomer that diffusers keeps for compatibility).
    /// </summary>
    public IReadOnlyList<int> AttentionHeadDim { get; init; } = [8, 8, 8, 8];

    /// <summary><c>use_linear_projection</c>: linear (true) or 1x1 convolution (false) projections around the transformers.</summary>
    public bool UseLinearProjection { get; init; }

    /// <summary><c>num_class_embeds</c>: size of the class-label embedding (the x4 upscaler's noise level); null for none.</summary>
    public int? NumClassEmbeds { get; init; }

    /// <summary><c>upcast_attention</c>: computes attention in float32 whatever the model dtype.</summary>
    public bool UpcastAttention { get; init; }

    /// <summary><c>conv_in_kernel</c>.</summary>
    public int ConvInKernel { get; init; } = 3;

    /// <summary><c>conv_out_kernel</c>.</summary>
    public int ConvOutKernel { get; init; } = 3;

    /// <summary>Reads a <c>config.json</c> file.</summary>
    /// <exception cref="ConfigException">The file is missing or malformed, or a value has the wrong type or count.</exception>
    /// <exception cref="UnsupportedConfigException">A key asks for something StableVsr does not implement.</exception>
    public static UNet2DConditionConfig Load(string path, ILogger? logger = null) => FromDocument(ConfigDocument.Load(path), logger);

    /// <summary>Reads the config from a parsed document.</summary>
    /// <exception cref="ConfigException">A value has the wrong type or count.</exception>
    /// <exception cref="UnsupportedConfigException">A key asks for something StableVsr does not implement.</exception>
    public static UNet2DConditionConfig FromDocument(ConfigDocument doc, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(doc);
        ModelConfigReader.RequireClassName(doc, ClassName);
        var defaults = new UNet2DConditionConfig();
        var down = doc.GetStringList("down_block_types", defaults.DownBlockTypes)!;
        var blocks = down.Count;

        RefuseUnimplemented(doc);

        var config = new UNet2DConditionConfig
        {
            Source = doc.Source,
            InChannels = doc.GetInt("in_channels", defaults.InChannels),
            OutChannels = doc.GetInt("out_channels", defaults.OutChannels),
            CenterInputSample = doc.GetBool("center_input_sample", defaults.CenterInputSample),
            FlipSinToCos = doc.GetBool("flip_sin_to_cos", defaults.FlipSinToCos),
            FreqShift = doc.GetDouble("freq_shift", defaults.FreqShift),
            DownBlockTypes = down,
            MidBlockType = ModelConfigReader.RequireOneOf(doc, "mid_block_type", defaults.MidBlockType, ["UNetMidBlock2DCrossAttn"], "Only UNetMidBlock2DCrossAttn is implemented."),
            UpBlockTypes = doc.GetStringList("up_block_types", defaults.UpBlockTypes)!,
            OnlyCrossAttention = ModelConfigReader.PerBlockBools(doc, "only_cross_attention", false, blocks),
            BlockOutChannels = doc.GetIntList("block_out_channels", defaults.BlockOutChannels)!,
            LayersPerBlock = ModelConfigReader.PerBlockInts(doc, "layers_per_block", 2, blocks),
            DownsamplePadding = doc.GetInt("downsample_padding", defaults.DownsamplePadding),
            MidBlockScaleFactor = doc.GetDouble("mid_block_scale_factor", defaults.MidBlockScaleFactor),
            ActFn = doc.GetString("act_fn", defaults.ActFn),
            NormNumGroups = ModelConfigReader.RequireNonNullInt(doc, "norm_num_groups", defaults.NormNumGroups, "Blocks without group normalization are not implemented."),
            NormEps = doc.GetDouble("norm_eps", defaults.NormEps),
            CrossAttentionDim = ModelConfigReader.PerBlockInts(doc, "cross_attention_dim", 1280, blocks),
            TransformerLayersPerBlock = ModelConfigReader.PerBlockInts(doc, "transformer_layers_per_block", 1, blocks),
            AttentionHeadDim = ModelConfigReader.PerBlockInts(doc, "attention_head_dim", 8, blocks),
            UseLinearProjection = doc.GetBool("use_linear_projection", defaults.UseLinearProjection),
            NumClassEmbeds = doc.GetNullableInt("num_class_embeds"),
            UpcastAttention = doc.GetBool("upcast_attention", defaults.UpcastAttention),
            ConvInKernel = doc.GetInt("conv_in_kernel", defaults.ConvInKernel),
            ConvOutKernel = doc.GetInt("conv_out_kernel", defaults.ConvOutKernel),
        };

        config.Validate();
        doc.LogUnknownKeys(logger);
        return config;
    }

    /// <summary>
    /// Checks that the per-block lists agree in length and that channels divide into groups and heads.
    /// Model constructors call it, so configs built in code are checked as well as those read from files.
    /// </summary>
    /// <exception cref="ConfigException">The values are inconsistent.</exception>
    public void Validate()
    {
        var blocks = DownBlockTypes.Count;
        if (blocks == 0)
        {
            throw new ConfigException($"Config '{Source}': 'down_block_types' is empty; a UNet needs at least one block.", Source, "down_block_types");
        }

        ModelConfigChecks.CheckPerBlockCount(Source, "up_block_types", UpBlockTypes.Count, blocks);
        ModelConfigChecks.CheckPerBlockCount(Source, "block_out_channels", BlockOutChannels.Count, blocks);
        ModelConfigChecks.CheckPerBlockCount(Source, "only_cross_attention", OnlyCrossAttention.Count, blocks);
        ModelConfigChecks.CheckPerBlockCount(Source, "layers_per_block", LayersPerBlock.Count, blocks);
        ModelConfigChecks.CheckPerBlockCount(Source, "cross_attention_dim", CrossAttentionDim.Count, blocks);
        ModelConfigChecks.CheckPerBlockCount(Source, "transformer_layers_per_block", TransformerLayersPerBlock.Count, blocks);
        ModelConfigChecks.CheckPerBlockCount(Source, "attention_head_dim", AttentionHeadDim.Count, blocks);
        if (CrossAttentionDim.Distinct().Count() > 1)
        {
            throw new UnsupportedConfigException(
                "cross_attention_dim",
                CrossAttentionDim,
                Source,
                "Per-block widths would need encoder hidden states of several widths, which the forward pass cannot take.");
        }

        ModelConfigChecks.CheckChannels(Source, BlockOutChannels, NormNumGroups, AttentionHeadDim);
        ModelConfigChecks.CheckPositive(Source, "in_channels", InChannels);
        ModelConfigChecks.CheckPositive(Source, "out_channels", OutChannels);
        ModelConfigChecks.CheckOddKernel(Source, "conv_in_kernel", ConvInKernel);
        ModelConfigChecks.CheckOddKernel(Source, "conv_out_kernel", ConvOutKernel);
        ModelConfigChecks.CheckClassEmbeds(Source, NumClassEmbeds);
    }

    private static void RefuseUnimplemented(ConfigDocument doc)
    {
        ModelConfigReader.RequireNull(doc, "num_attention_heads", "diffusers 0.21 refuses it as well: set the number of heads with 'attention_head_dim'.");
        ModelConfigReader.RequireNull(doc, "encoder_hid_dim", "Projecting the encoder hidden states is not implemented.");
        ModelConfigReader.RequireNull(doc, "encoder_hid_dim_type", "Projecting the encoder hidden states is not implemented.");
        ModelConfigReader.RequireNull(doc, "class_embed_type", "Only the plain class embedding of 'num_class_embeds' is implemented.");
        ModelConfigReader.RequireNull(doc, "addition_embed_type", "Additional embeddings (SDXL, Kandinsky) are not implemented.");
        ModelConfigReader.RequireNull(doc, "time_embedding_dim", "Only the default time embedding width (4 x block_out_channels[0]) is implemented.");
        ModelConfigReader.RequireNull(doc, "time_embedding_act_fn", "An extra activation on the time embedding is not implemented.");
        ModelConfigReader.RequireNull(doc, "timestep_post_act", "A post activation in the time embedding is not implemented.");
        ModelConfigReader.RequireNull(doc, "time_cond_proj_dim", "Timestep conditioning projections are not implemented.");
        ModelConfigReader.RequireBool(doc, "dual_cross_attention", false, "Dual cross-attention transformers are not implemented.");
        ModelConfigReader.RequireBool(doc, "class_embeddings_concat", false, "Concatenating class and time embeddings is not implemented.");
        ModelConfigReader.RequireOneOf(doc, "resnet_time_scale_shift", "default", ["default"], "Only the 'default' time embedding norm of ResnetBlock2D is implemented.");
        ModelConfigReader.RequireOneOf(doc, "time_embedding_type", "positional", ["positional"], "Only sinusoidal ('positional') timestep embeddings are implemented.");
        ModelConfigReader.RequireOneOf(doc, "attention_type", "default", ["default"], "Only the 'default' attention type is implemented (no GLIGEN).");

        // Inference only: dropout is inactive. The rest only configures block types StableVsr does not build
        // (simple cross-attention blocks, ResnetDownsampleBlock2D, projection class embeddings), exactly as diffusers
        // ignores them for DownBlock2D / CrossAttnDownBlock2D / UNetMidBlock2DCrossAttn / the matching up blocks.
        ModelConfigReader.Ignore(
            doc,
            "sample_size",
            "dropout",
            "addition_time_embed_dim",
            "addition_embed_type_num_heads",
            "projection_class_embeddings_input_dim",
            "resnet_skip_time_act",
            "resnet_out_scale_factor",
            "mid_block_only_cross_attention",
            "cross_attention_norm");
    }
}
