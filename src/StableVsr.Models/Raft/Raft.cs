using Microsoft.Extensions.Logging;
using StableVsr.Models.Blocks;
using StableVsr.Tensors;
using StableVsr.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace StableVsr.Models.Raft;

/// <summary>
/// RAFT optical flow (Teed and Deng, 2020) exactly as torchvision's <c>raft_large()</c> builds it; parameter paths
/// equal torchvision's state-dict keys. <c>forward(new RaftInput(a, b))</c> estimates the flow that maps each pixel
/// of <c>a</c> to <c>b</c>.
/// </summary>
public sealed class Raft : nn.Module<RaftInput, RaftOutput>
{
    private readonly FeatureEncoder feature_encoder;
    private readonly FeatureEncoder context_encoder;
    private readonly CorrBlock corr_block;
    private readonly UpdateBlock update_block;
    private readonly MaskPredictor mask_predictor;
    private RaftNormStatistics normStatistics = RaftNormStatistics.PerSample;

    /// <summary>
    /// Builds the network with random weights, normalising per sample (<see cref="NormStatistics"/>);
    /// <paramref name="config"/> defaults to RAFT-large. RAFT has no dropout and its normalisation ignores the training
    /// flag, so train and eval mode compute the same flows.
    /// </summary>
    /// <exception cref="UnsupportedConfigException">The configuration is outside what is implemented.</exception>
    public Raft(RaftConfig? config = null)
        : base(nameof(Raft))
    {
        Config = config ?? new RaftConfig();
        Config.Validate();
        feature_encoder = new FeatureEncoder(Config.FeatureEncoderLayers, Config.FeatureEncoderNorm);
        context_encoder = new FeatureEncoder(Config.ContextEncoderLayers, Config.ContextEncoderNorm);
        corr_block = new CorrBlock(Config.CorrLevels, Config.CorrRadius);
        update_block = new UpdateBlock(Config);
        mask_predictor = new MaskPredictor(Config.HiddenStateSize, Config.MaskPredictorHiddenSize, Config.MaskMultiplier);
        RegisterComponents();
    }

    /// <summary>The hyper-parameters the network was built with.</summary>
    public RaftConfig Config { get; }

    /// <summary>
    /// Which statistics the encoders' <c>BatchNorm2d</c> layers normalise with, whatever <c>train()</c> or
    /// <c>eval()</c> says: <see cref="RaftNormStatistics.PerSample"/> by default, which reproduces StableVSR's
    /// inference and evaluation scripts; <see cref="RaftNormStatistics.Batch"/> for its training script;
    /// <see cref="RaftNormStatistics.Running"/> for torchvision's eval mode.
    /// </summary>
    public RaftNormStatistics NormStatistics
    {
        get => normStatistics;
        set
        {
            if (!Enum.IsDefined(value))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "Expected PerSample, Batch or Running.");
            }

            normStatistics = value;
            foreach (var norm in modules().OfType<RaftBatchNorm>())
            {
                norm.Statistics = value;
            }
        }
    }

    /// <summary>
    /// Loads torchvision RAFT weights for inference (eval mode, no gradients, per-sample normalisation) from a <c>.pth</c> state dict as
    /// torchvision publishes it (read without running pickled code) or a <c>.safetensors</c> file with the same
    /// keys, on <paramref name="device"/> (CPU by default) in <paramref name="dtype"/> (float32 by default).
    /// <paramref name="config"/> defaults to RAFT-large.
    /// </summary>
    /// <exception cref="ModelLoadException">The file is missing, of an unknown kind, or does not match the network.</exception>
    /// <exception cref="InvalidInputException"><paramref name="dtype"/> is not a floating-point type.</exception>
    public static Raft FromFile(string path, Device? device = null, ScalarType? dtype = null, ILogger? logger = null, RaftConfig? config = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new ModelLoadException($"RAFT weights '{path}' do not exist.", path);
        }

        return PretrainedModels.LoadWeights(new Raft(config), () => TensorSources.Open(path), path, device ?? CPU, dtype, logger);
    }

    /// <summary>Estimates the flow from <see cref="RaftInput.Image1"/> to <see cref="RaftInput.Image2"/>.</summary>
    /// <exception cref="InvalidInputException">
    /// The images are not [B, 3, H, W] floating-point tensors of the same shape and of the model's dtype, H or W is not
    /// divisible by 8, an image side is below <see cref="RaftConfig.MinImageSide"/> (128 px), or the number of
    /// updates is not positive.
    /// </exception>
    public override RaftOutput forward(RaftInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var updates = input.NumFlowUpdates ?? Config.NumFlowUpdates;
        CheckInput(input, updates);

        using var scope = NewDisposeScope();
        var image1 = input.Image1;
        var fmaps = feature_encoder.call(cat([image1, input.Image2], 0)).chunk(2, 0);
        var (hidden, context) = EncodeContext(image1);
        var predictions = Refine(fmaps[0], fmaps[1], hidden, context, updates, input.KeepAllPredictions);
        foreach (var prediction in predictions)
        {
            prediction.MoveToOuterDisposeScope();
        }

        return new RaftOutput(predictions);
    }

    /// <summary>
    /// Runs both encoders on <paramref name="images"/> [B, 3, H, W] once, for flows that reuse each frame's encoding
    /// (<see cref="EstimateFlow(RaftFrameEncoding, RaftFrameEncoding, int?)"/>): a sequence needs each frame as the first
    /// image of one pair and the second image of another, and the encoders are most of a flow's cost at few updates
    /// (about 70% of a frame pair at 128x128 with 2 updates on the CPU, 30% with 12).
    /// </summary>
    /// <exception cref="InvalidInputException">The images are not valid RAFT input (see <see cref="forward(RaftInput)"/>).</exception>
    /// <exception cref="InvalidOperationException">
    /// <see cref="NormStatistics"/> is <see cref="RaftNormStatistics.Batch"/>: then an encoding depends on the other
    /// images of its call, and a frame cannot be encoded apart from its pair.
    /// </exception>
    internal RaftFrameEncoding Encode(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (NormStatistics == RaftNormStatistics.Batch)
        {
            throw new InvalidOperationException("With Batch normalisation statistics a frame's encoding depends on the rest of its batch: compute the flow with EstimateFlow(image1, image2).");
        }

        CheckImages(images, images);
        using var scope = NewDisposeScope();
        var features = feature_encoder.call(images);
        var (hidden, context) = EncodeContext(images);
        return new RaftFrameEncoding(features, hidden, context).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Estimates the final flow [B, 2, H, W] from the frames encoded in <paramref name="first"/> to those in
    /// <paramref name="second"/>: the flow <see cref="EstimateFlow(Tensor, Tensor, int?)"/> gives for the images
    /// themselves, without running the encoders again. Neither encoding is consumed.
    /// </summary>
    /// <exception cref="InvalidInputException">The encodings differ in shape, or the number of updates is not positive.</exception>
    internal Tensor EstimateFlow(RaftFrameEncoding first, RaftFrameEncoding second, int? numFlowUpdates = null)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        var updates = numFlowUpdates ?? Config.NumFlowUpdates;
        CheckUpdates(updates);
        if (!first.Features.shape.SequenceEqual(second.Features.shape))
        {
            throw new InvalidInputException($"RAFT encodings should have the same shape, instead got {Shape(first.Features)} != {Shape(second.Features)}.");
        }

        using var scope = NewDisposeScope();
        return Refine(first.Features, second.Features, first.Hidden, first.Context, updates, keepAll: false)[0].MoveToOuterDisposeScope();
    }

    /// <summary>Estimates the final flow [B, 2, H, W] from <paramref name="image1"/> to <paramref name="image2"/>.</summary>
    /// <exception cref="InvalidInputException">See <see cref="forward(RaftInput)"/>.</exception>
    public Tensor EstimateFlow(Tensor image1, Tensor image2, int? numFlowUpdates = null)
    {
        using var output = forward(new RaftInput(image1, image2, numFlowUpdates));
        return output.Flow.clone();
    }

    // As in RAFT, the context encoder's output is split into the initial hidden state and the context.
    private (Tensor Hidden, Tensor Context) EncodeContext(Tensor image1)
    {
        var contextOut = context_encoder.call(image1).split([Config.HiddenStateSize, Config.ContextChannels], 1);
        return (tanh(contextOut[0]), nn.functional.relu(contextOut[1]));
    }

    // The correlation pyramid and the recurrent updates. The caller's hidden state is left alone (an encoding may serve
    // several pairs); each later state is released as soon as the next one exists. Returns the upsampled flow of every
    // update when keepAll is set, else the last one only, in the caller's dispose scope.
    private List<Tensor> Refine(Tensor fmap1, Tensor fmap2, Tensor hidden, Tensor context, int updates, bool keepAll)
    {
        var (batch, h, w) = (fmap1.shape[0], fmap1.shape[2], fmap1.shape[3]);
        var pyramid = corr_block.BuildPyramid(fmap1, fmap2);
        var coords0 = FlowUpsampling.CoordsGrid(batch, h, w, fmap1.dtype, fmap1.device);
        var coords1 = coords0.clone();
        var state = hidden;
        var predictions = new List<Tensor>(keepAll ? updates : 1);
        for (var i = 0; i < updates; i++)
        {
            var keep = keepAll || i == updates - 1;
            using var step = NewDisposeScope();
            var corr = corr_block.IndexPyramid(pyramid, coords1);
            var update = update_block.call(new UpdateBlockInput(state, context, corr, coords1 - coords0));
            var nextCoords = coords1.Plus(update.DeltaFlow);
            if (keep)
            {
                var mask = mask_predictor.call(update.Hidden);
                predictions.Add(step.MoveToOuter(FlowUpsampling.ConvexUpsample(nextCoords - coords0, mask)));
            }

            // Only the latest state is needed: release the previous one now rather than at the end of the call.
            if (!ReferenceEquals(state, hidden))
            {
                state.Dispose();
            }

            coords1.Dispose();
            state = step.MoveToOuter(update.Hidden);
            coords1 = step.MoveToOuter(nextCoords);
        }

        return predictions;
    }

    private void CheckInput(RaftInput input, int updates)
    {
        CheckUpdates(updates);
        ArgumentNullException.ThrowIfNull(input.Image1);
        ArgumentNullException.ThrowIfNull(input.Image2);
        CheckImages(input.Image1, input.Image2);
    }

    private static void CheckUpdates(int updates)
    {
        if (updates <= 0)
        {
            throw new InvalidInputException($"RAFT needs at least one flow update, got {updates}.");
        }
    }

    private void CheckImages(Tensor a, Tensor b)
    {
        if (a.dim() != 4 || a.shape[1] != 3)
        {
            throw new InvalidInputException($"RAFT input images should be [B, 3, H, W], got image1 of shape {Shape(a)}.");
        }

        if (!a.shape.SequenceEqual(b.shape))
        {
            throw new InvalidInputException($"RAFT input images should have the same shape, instead got {Shape(a)} != {Shape(b)}.");
        }

        var dtype = feature_encoder.parameters().First().dtype;
        if (a.dtype != dtype || b.dtype != dtype)
        {
            throw new InvalidInputException($"RAFT input images should be {dtype} like the model, got {a.dtype} and {b.dtype}. Convert them, or load the model in their dtype.");
        }

        var (h, w) = (a.shape[2], a.shape[3]);
        if (h % RaftConfig.DownsampleFactor != 0 || w % RaftConfig.DownsampleFactor != 0)
        {
            throw new InvalidInputException($"RAFT input image H and W should be divisible by {RaftConfig.DownsampleFactor}, instead got {h} (h) and {w} (w). Pad the images first.");
        }

        var min = Config.MinImageSide;
        if (h < min || w < min)
        {
            throw new InvalidInputException(
                $"RAFT input images of {h}x{w} (HxW) are too small: its {Config.CorrLevels}-level correlation pyramid needs at least {min} px on each side " +
                $"(H/8 and W/8 halved {Config.CorrLevels - 1} times must stay >= 2), else every flow is NaN. Pad the images to at least {min}x{min}.");
        }
    }

    private static string Shape(Tensor t) => "[" + string.Join(", ", t.shape) + "]";
}
