using Microsoft.Extensions.Logging;
using StableVsr.Models.Blocks;
using StableVsr.Tensors;
using StableVsr.Weights.Configs;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableVsr.Models.Unet;

/// <summary>
/// diffusers' <c>UNet2DConditionModel</c> (0.21 semantics) for the block types StableVSR uses: predicts the noise
/// (or v) of a noisy sample given the timestep and text embeddings, optionally a class label (noise level) and a
/// ControlNet's residuals. Parameter paths equal the diffusers checkpoint keys. Built from a
/// <see cref="UNet2DConditionConfig"/>; <see cref="FromPretrained"/> also loads the weights.
/// </summary>
internal sealed class UNet2DConditionModel : nn.Module<UNetInput, Tensor>
{
    private const string ModelName = "UNet2DConditionModel";

    private readonly Conv2d conv_in;
    private readonly Timesteps time_proj;
    private readonly TimestepEmbedding time_embedding;
    private readonly Embedding? class_embedding;
    private readonly ModuleList<UNetDownBlock> down_blocks;
    private readonly UNetMidBlock2DCrossAttn mid_block;
    private readonly ModuleList<UNetUpBlock> up_blocks;
    private readonly GroupNorm conv_norm_out;
    private readonly Conv2d conv_out;
    private readonly Func<Tensor, Tensor> conv_act;
    private readonly int numUpsamplers;

    /// <summary>Builds the network described by <paramref name="config"/>, with freshly initialised weights.</summary>
    /// <exception cref="UnsupportedConfigException">The config names a block type or activation that is not implemented.</exception>
    /// <exception cref="ConfigException">The config is inconsistent.</exception>
    public UNet2DConditionModel(UNet2DConditionConfig config)
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

        conv_in = nn.Conv2d(config.InChannels, channels[0], config.ConvInKernel, padding: (config.ConvInKernel - 1) / 2);
        time_proj = new Timesteps(channels[0], config.FlipSinToCos, config.FreqShift);
        time_embedding = new TimestepEmbedding(channels[0], timeEmbedDim, activation);
        if (config.NumClassEmbeds is int classes)
        {
            class_embedding = nn.Embedding(classes, timeEmbedDim);
        }

        var resnet = new ResnetSettings(timeEmbedDim, config.NormNumGroups, config.NormEps, activation);
        down_blocks = new ModuleList<UNetDownBlock>();
        var outputChannel = channels[0];
        for (var i = 0; i < blocks; i++)
        {
            var inputChannel = outputChannel;
            outputChannel = channels[i];
            down_blocks.Add(BlockFactory.CreateDownBlock(
                config.DownBlockTypes[i],
                config.LayersPerBlock[i],
                inputChannel,
                outputChannel,
                addDownsample: i < blocks - 1,
                config.DownsamplePadding,
                resnet,
                AttentionFor(config, i, config.OnlyCrossAttention[i]),
                source));
        }

        mid_block = new UNetMidBlock2DCrossAttn(
            channels[^1],
            resnet with { OutputScaleFactor = config.MidBlockScaleFactor },
            AttentionFor(config, blocks - 1, onlyCrossAttention: false));

        up_blocks = new ModuleList<UNetUpBlock>();
        outputChannel = channels[^1];
        for (var i = 0; i < blocks; i++)
        {
            var reversed = blocks - 1 - i;
            var prevOutputChannel = outputChannel;
            outputChannel = channels[reversed];
            var inputChannel = channels[Math.Max(reversed - 1, 0)];
            var addUpsample = i < blocks - 1;
            if (addUpsample)
            {
                numUpsamplers++;
            }

            up_blocks.Add(BlockFactory.CreateUpBlock(
                config.UpBlockTypes[i],
                config.LayersPerBlock[reversed] + 1,
                inputChannel,
                outputChannel,
                prevOutputChannel,
                addUpsample,
                resnet,
                AttentionFor(config, reversed, config.OnlyCrossAttention[reversed]),
                source));
        }

        conv_norm_out = nn.GroupNorm(config.NormNumGroups, channels[0], config.NormEps);
        conv_act = activation;
        conv_out = nn.Conv2d(channels[0], config.OutChannels, config.ConvOutKernel, padding: (config.ConvOutKernel - 1) / 2);
        DownResidualCount = 1 + Enumerable.Range(0, blocks).Sum(i => config.LayersPerBlock[i] + (i < blocks - 1 ? 1 : 0));
        RegisterComponents();
    }

    /// <summary>The config the network was built from.</summary>
    public UNet2DConditionConfig Config { get; }

    /// <summary>How many down-block residuals a ControlNet passes (one per skip connection, the first being conv_in's output).</summary>
    public int DownResidualCount { get; }

    /// <summary>
    /// The factor by which the down blocks shrink the sample (2 per downsampler). Samples whose sides are not
    /// multiples of it are accepted: as in diffusers, the upsamplers are then told the exact sizes to restore.
    /// </summary>
    public int DownsamplingFactor => 1 << numUpsamplers;

    /// <summary>
    /// Builds the UNet from a diffusers model folder (<c>config.json</c> + <c>diffusion_pytorch_model.safetensors</c>),
    /// loads its weights and switches it to inference mode.
    /// </summary>
    /// <param name="folder">The model folder (e.g. a checkpoint's <c>unet/</c>).</param>
    /// <param name="device">Where the weights go (CPU when null).</param>
    /// <param name="dtype">The dtype of the weights (float32 when null).</param>
    /// <param name="logger">Receives the config keys nobody read and the load report.</param>
    /// <exception cref="ModelLoadException">The folder, config or weights cannot be used.</exception>
    public static UNet2DConditionModel FromPretrained(string folder, Device? device = null, ScalarType? dtype = null, ILogger? logger = null) =>
        PretrainedModels.Load(folder, path => new UNet2DConditionModel(UNet2DConditionConfig.Load(path, logger)), device, dtype, logger);

    /// <summary>Predicts the model output [B, out_channels, H, W] for <paramref name="input"/>.</summary>
    /// <exception cref="InvalidInputException">A tensor has the wrong shape, dtype or count, or class labels are missing or unexpected.</exception>
    public override Tensor forward(UNetInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = NewDisposeScope();
        CheckInput(input);
        var sample = input.Sample;
        var encoder = input.EncoderHiddenStates;

        // The upsamplers are told the exact sizes to restore when the sample is not a multiple of the factor.
        var forwardUpsampleSize = sample.shape[^2] % DownsamplingFactor != 0 || sample.shape[^1] % DownsamplingFactor != 0;

        if (Config.CenterInputSample)
        {
            sample = sample.Times(2).Minus(1.0);
        }

        var emb = TimeConditioning.Embed(sample, input.Timestep, input.ClassLabels, time_proj, time_embedding, class_embedding);
        sample = conv_in.forward(sample);

        var residuals = new List<Tensor> { sample };
        foreach (var block in down_blocks)
        {
            var output = block.forward(new DownBlockInput(sample, emb, encoder));
            sample = output.HiddenStates;
            residuals.AddRange(output.Residuals);
        }

        if (input.DownResiduals is { } additional)
        {
            for (var i = 0; i < residuals.Count; i++)
            {
                RequireAddable(additional[i], residuals[i], $"DownResiduals[{i}]");
                residuals[i] = residuals[i].Plus(additional[i]);
            }
        }

        sample = mid_block.forward(new DownBlockInput(sample, emb, encoder));
        if (input.MidResidual is { } mid)
        {
            RequireAddable(mid, sample, "MidResidual");
            sample = sample.Plus(mid);
        }

        for (var i = 0; i < up_blocks.Count; i++)
        {
            var block = up_blocks[i];
            var count = block.ResidualCount;
            var skips = residuals.GetRange(residuals.Count - count, count);
            residuals.RemoveRange(residuals.Count - count, count);
            var upsampleSize = forwardUpsampleSize && i < up_blocks.Count - 1 ? residuals[^1].shape[2..] : null;
            sample = block.forward(new UpBlockInput(sample, skips, emb, encoder, upsampleSize));
        }

        sample = conv_out.forward(conv_act(conv_norm_out.forward(sample)));
        return sample.MoveToOuterDisposeScope();
    }

    private static CrossAttentionSettings AttentionFor(UNet2DConditionConfig config, int block, bool onlyCrossAttention) => new(
        config.AttentionHeadDim[block],
        config.CrossAttentionDim[block],
        config.TransformerLayersPerBlock[block],
        config.UseLinearProjection,
        onlyCrossAttention,
        config.UpcastAttention);

    // A globally pooled ControlNet returns [B, C, 1, 1] residuals, which diffusers adds by broadcasting.
    private static void RequireAddable(Tensor given, Tensor expected, string name)
    {
        var g = given.shape;
        var e = expected.shape;
        var pooled = g.Length == 4 && g[2] == 1 && g[3] == 1;
        if (g.Length != 4 || g[0] != e[0] || g[1] != e[1] || !(pooled || (g[2] == e[2] && g[3] == e[3])))
        {
            throw new InvalidInputException(
                $"{ModelName}: '{name}' has shape {InputChecks.Shape(given)} but the skip connection it is added to has {InputChecks.Shape(expected)} " +
                "(a globally pooled residual may be [batch, channels, 1, 1]); pass the ControlNet outputs for this very sample.");
        }

        if (given.dtype != expected.dtype)
        {
            throw new InvalidInputException($"{ModelName}: '{name}' is {given.dtype} but the model runs in {expected.dtype}; run the ControlNet in the UNet's dtype.");
        }
    }

    private void CheckInput(UNetInput input)
    {
        var dtype = conv_in.weight!.dtype;
        InputChecks.CheckImage(input.Sample, "sample", Config.InChannels, dtype, ModelName);
        var batch = input.Sample.shape[0];
        InputChecks.CheckTimestep(input.Timestep, batch, ModelName);
        InputChecks.CheckEncoderHiddenStates(input.EncoderHiddenStates, batch, Config.CrossAttentionDim[0], dtype, ModelName);
        InputChecks.CheckClassLabels(input.ClassLabels, Config.NumClassEmbeds, batch, ModelName);
        if ((input.DownResiduals is null) != (input.MidResidual is null))
        {
            throw new InvalidInputException($"{ModelName}: pass both 'DownResiduals' and 'MidResidual' (a ControlNet's outputs) or neither.");
        }

        if (input.DownResiduals is { } down && down.Count != DownResidualCount)
        {
            throw new InvalidInputException($"{ModelName}: 'DownResiduals' has {down.Count} tensors; this UNet has {DownResidualCount} skip connections.");
        }
    }
}
