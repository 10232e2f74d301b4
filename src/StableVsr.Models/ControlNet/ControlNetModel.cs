using Microsoft.Extensions.Logging;
using StableVsr.Models.Blocks;
using StableVsr.Tensors;
using StableVsr.Weights.Configs;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableVsr.Models.ControlNet;

/// <summary>
/// diffusers' <c>ControlNetModel</c> (0.21 semantics) as <c>ControlNetModel.from_unet</c> makes it: a copy of the
/// UNet's encoder half whose input is the sample plus an embedding of the conditioning image, and whose skip
/// connections and mid-block output go through 1x1 "zero" convolutions to become the residuals added to the
/// UNet. In StableVSR it is the Temporal Conditioning Module. Parameter paths equal the checkpoint keys.
/// </summary>
internal sealed class ControlNetModel : nn.Module<ControlNetInput, ControlNetOutput>
{
    private const string ModelName = "ControlNetModel";

    private readonly Conv2d conv_in;
    private readonly Timesteps time_proj;
    private readonly TimestepEmbedding time_embedding;
    private readonly Embedding? class_embedding;
    private readonly ControlNetConditioningEmbedding controlnet_cond_embedding;
    private readonly ModuleList<UNetDownBlock> down_blocks;
    private readonly ModuleList<Conv2d> controlnet_down_blocks;
    private readonly Conv2d controlnet_mid_block;
    private readonly UNetMidBlock2DCrossAttn mid_block;

    /// <summary>Builds the network described by <paramref name="config"/>, with freshly initialised weights.</summary>
    /// <exception cref="UnsupportedConfigException">The config names a block type or activation that is not implemented.</exception>
    /// <exception cref="ConfigException">The config is inconsistent.</exception>
    public ControlNetModel(ControlNetConfig config)
        : base(ModelName)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        var source = config.Source;
        var channels = config.BlockOutChannels;
        var blocks = channels.Count;
        var activation = Activations.Get(config.ActFn, "act_fn", source);
        var timeEmbedDim = channels[0] * 4;

        conv_in = nn.Conv2d(config.InChannels, channels[0], 3, padding: 1);
        time_proj = new Timesteps(channels[0], config.FlipSinToCos, config.FreqShift);
        time_embedding = new TimestepEmbedding(channels[0], timeEmbedDim, activation);
        if (config.NumClassEmbeds is int classes)
        {
            class_embedding = nn.Embedding(classes, timeEmbedDim);
        }

        controlnet_cond_embedding = new ControlNetConditioningEmbedding(channels[0], config.ConditioningChannels, config.ConditioningEmbeddingOutChannels);

        var resnet = new ResnetSettings(timeEmbedDim, config.NormNumGroups, config.NormEps, activation);
        down_blocks = new ModuleList<UNetDownBlock>();
        controlnet_down_blocks = new ModuleList<Conv2d> { nn.Conv2d(channels[0], channels[0], 1) };
        var outputChannel = channels[0];
        for (var i = 0; i < blocks; i++)
        {
            var inputChannel = outputChannel;
            outputChannel = channels[i];
            var isFinal = i == blocks - 1;
            down_blocks.Add(BlockFactory.CreateDownBlock(
                config.DownBlockTypes[i],
                config.LayersPerBlock,
                inputChannel,
                outputChannel,
                addDownsample: !isFinal,
                config.DownsamplePadding,
                resnet,
                AttentionFor(config, i, config.OnlyCrossAttention[i]),
                source));
            var zeroConvolutions = config.LayersPerBlock + (isFinal ? 0 : 1);
            for (var j = 0; j < zeroConvolutions; j++)
            {
                controlnet_down_blocks.Add(nn.Conv2d(outputChannel, outputChannel, 1));
            }
        }

        controlnet_mid_block = nn.Conv2d(channels[^1], channels[^1], 1);
        mid_block = new UNetMidBlock2DCrossAttn(
            channels[^1],
            resnet with { OutputScaleFactor = config.MidBlockScaleFactor },
            AttentionFor(config, blocks - 1, onlyCrossAttention: false));
        RegisterComponents();
    }

    /// <summary>The config the network was built from.</summary>
    public ControlNetConfig Config { get; }

    /// <summary>How many down residuals the model returns (one per skip connection of the matching UNet).</summary>
    public int DownResidualCount => controlnet_down_blocks.Count;

    /// <summary>
    /// Whether the down blocks are recomputed during the backward pass instead of keeping their activations (diffusers'
    /// <c>enable_gradient_checkpointing</c>, which checkpoints the same blocks). Changes memory and time, not results.
    /// </summary>
    internal bool GradientCheckpointing { get; set; }

    /// <summary>The factor between the conditioning image's size and the sample's (2 per stage of the conditioning embedding).</summary>
    public int ConditioningScaleFactor => 1 << controlnet_cond_embedding.Downsamplings;

    /// <summary>
    /// Builds the model from a diffusers model folder (<c>config.json</c> + <c>diffusion_pytorch_model.safetensors</c>),
    /// loads its weights and switches it to inference mode.
    /// </summary>
    /// <param name="folder">The model folder (e.g. a checkpoint's <c>controlnet/</c>).</param>
    /// <param name="device">Where the weights go (CPU when null).</param>
    /// <param name="dtype">The dtype of the weights (float32 when null).</param>
    /// <param name="logger">Receives the config keys nobody read and the load report.</param>
    /// <exception cref="ModelLoadException">The folder, config or weights cannot be used.</exception>
    public static ControlNetModel FromPretrained(string folder, Device? device = null, ScalarType? dtype = null, ILogger? logger = null) =>
        PretrainedModels.Load(folder, path => new ControlNetModel(ControlNetConfig.Load(path, logger)), device, dtype, logger);

    /// <summary>Computes the residuals for the UNet.</summary>
    /// <exception cref="InvalidInputException">A tensor has the wrong shape or dtype, or class labels are missing or unexpected.</exception>
    public override ControlNetOutput forward(ControlNetInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = NewDisposeScope();
        CheckInput(input);
        var encoder = input.EncoderHiddenStates;
        var cond = Config.ControlnetConditioningChannelOrder == "bgr" ? input.ControlnetCond.flip(1) : input.ControlnetCond;

        var emb = TimeConditioning.Embed(input.Sample, input.Timestep, input.ClassLabels, time_proj, time_embedding, class_embedding);
        var sample = conv_in.forward(input.Sample).Plus(controlnet_cond_embedding.forward(cond));

        var skips = new List<Tensor> { sample };
        foreach (var block in down_blocks)
        {
            var output = GradientCheckpointing ? Checkpointed(block, new DownBlockInput(sample, emb, encoder)) : block.forward(new DownBlockInput(sample, emb, encoder));
            sample = output.HiddenStates;
            skips.AddRange(output.Residuals);
        }

        sample = mid_block.forward(new DownBlockInput(sample, emb, encoder));

        var down = skips.Select((skip, i) => controlnet_down_blocks[i].forward(skip)).ToList();
        var mid = controlnet_mid_block.forward(sample);
        // The scale comes with each call, so it is held for this call rather than cached.
        using var conditioningScale = input.ConditioningScale.ToScalar();
        if (input.GuessMode && !Config.GlobalPoolConditions)
        {
            var scales = logspace(-1, 0, down.Count + 1, device: sample.device).mul(conditioningScale);
            down = down.Select((residual, i) => residual * scales[i]).ToList();
            mid = mid * scales[-1];
        }
        else if (input.ConditioningScale != 1.0)
        {
            down = down.Select(residual => residual.mul(conditioningScale)).ToList();
            mid = mid.mul(conditioningScale);
        }

        if (Config.GlobalPoolConditions)
        {
            down = down.Select(residual => residual.mean([2, 3], keepdim: true)).ToList();
            mid = mid.mean([2, 3], keepdim: true);
        }

        scope.MoveToOuter(down);
        scope.MoveToOuter(mid);
        return new ControlNetOutput(down, mid);
    }

    // The block's output map is its last residual, so only the residuals pass through the checkpoint.
    private static DownBlockOutput Checkpointed(UNetDownBlock block, DownBlockInput input)
    {
        var residuals = CheckpointedForward.Run(
            inputs => block.forward(new DownBlockInput(inputs[0], inputs[1], inputs[2])).Residuals,
            [input.HiddenStates, input.Temb, input.EncoderHiddenStates]);
        return new DownBlockOutput(residuals[^1], residuals);
    }

    private static CrossAttentionSettings AttentionFor(ControlNetConfig config, int block, bool onlyCrossAttention) => new(
        config.HeadsPerBlock[block],
        config.CrossAttentionDim,
        config.TransformerLayersPerBlock[block],
        config.UseLinearProjection,
        onlyCrossAttention,
        config.UpcastAttention);

    private void CheckInput(ControlNetInput input)
    {
        var dtype = conv_in.weight!.dtype;
        InputChecks.CheckImage(input.Sample, "sample", Config.InChannels, dtype, ModelName);
        var batch = input.Sample.shape[0];
        InputChecks.CheckTimestep(input.Timestep, batch, ModelName);
        InputChecks.CheckEncoderHiddenStates(input.EncoderHiddenStates, batch, Config.CrossAttentionDim, dtype, ModelName);
        InputChecks.CheckClassLabels(input.ClassLabels, Config.NumClassEmbeds, batch, ModelName);
        InputChecks.CheckImage(input.ControlnetCond, "controlnet_cond", Config.ConditioningChannels, dtype, ModelName);
        var cond = input.ControlnetCond.shape;
        var (height, width) = controlnet_cond_embedding.OutputSize(cond[2], cond[3]);
        if (cond[0] != batch || height != input.Sample.shape[2] || width != input.Sample.shape[3])
        {
            var factor = ConditioningScaleFactor;
            throw new InvalidInputException(
                $"{ModelName}: 'controlnet_cond' {InputChecks.Shape(input.ControlnetCond)} must have the sample's batch and {factor}x its size " +
                $"([{batch}, {Config.ConditioningChannels}, {input.Sample.shape[2] * factor}, {input.Sample.shape[3] * factor}] for sample {InputChecks.Shape(input.Sample)}).");
        }

        if (!double.IsFinite(input.ConditioningScale))
        {
            throw new InvalidInputException($"{ModelName}: 'ConditioningScale' must be a finite number; got {input.ConditioningScale}.");
        }
    }
}
