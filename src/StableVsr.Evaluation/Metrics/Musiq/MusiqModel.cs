using Microsoft.Extensions.Logging;
using StableVsr.Evaluation.Weights;
using StableVsr.Tensors;
using StableVsr.Weights;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableVsr.Evaluation.Metrics.Musiq;

/// <summary>
/// MUSIQ, the multi-scale image quality transformer (Ke, Wang, Wang, Milanfar and Yang, ICCV 2021), with the layout and
/// parameter names of pyiqa 0.1.7's port of the released checkpoints: patches of three scales through a
/// weight-standardised ResNet root and one bottleneck, flattened in TensorFlow's HWC order, embedded, encoded with
/// hashed positions and scale embeddings, scored from the class token. With the KonIQ-10k checkpoint the score is a
/// mean opinion score on KonIQ's 0-100 scale (higher is better).
/// </summary>
internal sealed class MusiqModel : nn.Module<Tensor, Tensor>
{
    private const int Groups = 32;
    private const double RootEpsilon = 1e-6;

    private readonly StdConv conv_root;
    private readonly GroupNorm gn_root;
    private readonly MusiqBottleneck block1;
    private readonly Linear embedding;
    private readonly MusiqEncoder transformer_encoder;
    private readonly Linear head;

    public MusiqModel(MusiqConfig config)
        : base(nameof(MusiqModel))
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config;
        const int width = MusiqConfig.StemWidth;
        conv_root = new StdConv(3, width, 7, 2);
        gn_root = nn.GroupNorm(Groups, width, RootEpsilon);
        block1 = new MusiqBottleneck(width, width * 4);
        var tokenSide = MusiqConfig.PatchSize / 4;
        embedding = nn.Linear(width * 4 * tokenSide * tokenSide, config.Hidden);
        transformer_encoder = new MusiqEncoder(config);
        head = nn.Linear(config.Hidden, config.Outputs);
        RegisterComponents();
    }

    public MusiqConfig Config { get; }

    /// <summary>Loads a MUSIQ state dict (pyiqa's <c>musiq_koniq_ckpt-e95806b9.pth</c>; a <c>module.</c> prefix is dropped).</summary>
    /// <exception cref="ModelLoadException">The file is missing, unreadable, or not a MUSIQ with one output.</exception>
    public static MusiqModel Load(string path, Device? device = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new ModelLoadException($"MUSIQ weights '{Path.GetFullPath(path)}' do not exist. Give pyiqa's {NoReferenceWeights.MusiqKoniqFileName}, or leave --musiq out to use the torch hub cache.", path);
        }

        using var source = TensorSources.Open(path);
        var config = MusiqConfig.FromCheckpoint(source);
        if (config.Outputs != 1)
        {
            throw new ModelLoadException($"'{path}' is a MUSIQ with {config.Outputs} outputs (AVA's score distribution); eval.py uses the KonIQ-10k checkpoint, which has one.", path);
        }

        return ModuleLoading.Load(new MusiqModel(config), device, model =>
            ModuleLoading.Fill(model, source, path, "a MUSIQ checkpoint", key => key.StartsWith("module.", StringComparison.Ordinal) ? key["module.".Length..] : key, logger));
    }

    /// <summary>The score of each image of [B, 3, H, W] in [0, 1]; returns [B].</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var scores = new List<Tensor>();
        for (var b = 0; b < input.shape[0]; b++)
        {
            var (patches, positions, scaleIds, mask) = MusiqPatches.Extract(input.narrow(0, b, 1).Times(2).Minus(1), Config);
            var tokens = Embed(Stem(patches));
            var encoded = transformer_encoder.call(new MusiqTokens(tokens, positions.unsqueeze(0), scaleIds.unsqueeze(0), mask.unsqueeze(0)));
            scores.Add(head.call(encoded.select(1, 0)).flatten());
        }

        return cat(scores).MoveToOuterDisposeScope();
    }

    /// <summary>The ResNet root and bottleneck on patches [S, 3, 32, 32]: [S, 256, 8, 8].</summary>
    internal Tensor Stem(Tensor patches)
    {
        using var scope = NewDisposeScope();
        var x = gn_root.call(conv_root.call(patches));
        x = nn.functional.max_pool2d(TfSamePadding.Pad(nn.functional.relu(x), 3, 2), 3, 2);
        return block1.call(x).MoveToOuterDisposeScope();
    }

    /// <summary>Stem outputs [S, 256, 8, 8] flattened in TensorFlow's HWC order and embedded: [1, S, hidden].</summary>
    internal Tensor Embed(Tensor stem)
    {
        using var scope = NewDisposeScope();
        return embedding.call(stem.permute(0, 2, 3, 1).reshape(1, stem.shape[0], -1)).MoveToOuterDisposeScope();
    }

    /// <summary>The encoder's output [1, 1 + S, hidden] (class token first) for tokens of <see cref="Embed"/>.</summary>
    internal Tensor Encode(Tensor tokens, Tensor positions, Tensor scaleIds, Tensor mask) =>
        transformer_encoder.call(new MusiqTokens(tokens, positions.unsqueeze(0), scaleIds.unsqueeze(0), mask.unsqueeze(0)));

    /// <summary>The head on the class token [hidden]: the score [1].</summary>
    internal Tensor Score(Tensor cls) => head.call(cls.unsqueeze(0)).flatten();
}
