using Microsoft.Extensions.Logging;
using StableVsr.Evaluation.Weights;
using StableVsr.Tensors;
using StableVsr.Weights;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableVsr.Evaluation.Metrics.ClipIqa;

/// <summary>
/// CLIP-IQA (Wang, Chan and Loy, "Exploring CLIP for Assessing the Look and Feel of Images", AAAI 2023) on OpenAI's
/// CLIP RN50, as StableVSR's eval.py runs it through pyiqa 0.1.7: the whole frame (never resized) normalised with
/// CLIP's mean and std, its embedding compared by cosine with the five antonym prompt pairs, a softmax per pair, the
/// mean probability of the positive prompts. In [0, 1]; higher is better. Parameter names are those of OpenAI's
/// <c>RN50.pt</c>, whose float16 weights are widened to float32 as <c>clip.load</c> does on the CPU.
/// </summary>
internal sealed class ClipIqaModel : nn.Module<Tensor, Tensor>
{
    private static readonly HashSet<string> ArchiveExtras = new(StringComparer.Ordinal) { "input_resolution", "context_length", "vocab_size" };

    private readonly ClipImageTower visual;
    private readonly TextTransformer transformer;
    private readonly Embedding token_embedding;
    private readonly Parameter positional_embedding;
    private readonly LayerNorm ln_final;
    private readonly Parameter text_projection;
    private readonly Parameter logit_scale;
    private readonly Tensor mean;
    private readonly Tensor std;
    private Tensor? promptFeatures;

    public ClipIqaModel(ClipIqaConfig config, int poolPositions)
        : base(nameof(ClipIqaModel))
    {
        ArgumentNullException.ThrowIfNull(config);
        visual = new ClipImageTower(config, poolPositions);
        transformer = new TextTransformer(config);
        token_embedding = nn.Embedding(config.VocabSize, config.TextWidth);
        positional_embedding = new Parameter(empty(config.ContextLength, config.TextWidth));
        ln_final = nn.LayerNorm(config.TextWidth);
        text_projection = new Parameter(empty(config.TextWidth, config.EmbedSize));
        logit_scale = new Parameter(empty([]));
        mean = ChannelConstant.Of([0.48145466f, 0.4578275f, 0.40821073f]);
        std = ChannelConstant.Of([0.26862954f, 0.26130258f, 0.27577711f]);
        register_buffer(nameof(mean), mean, persistent: false);
        register_buffer(nameof(std), std, persistent: false);
        RegisterComponents();
    }

    /// <summary>
    /// Loads OpenAI's CLIP (the TorchScript archive <c>RN50.pt</c>, read without running any of its code, or a state
    /// dict with the same keys) and encodes the prompts once.
    /// </summary>
    /// <exception cref="ModelLoadException">The file is missing, unreadable, or not a ResNet CLIP.</exception>
    public static ClipIqaModel Load(string path, Device? device = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new ModelLoadException($"CLIP weights '{Path.GetFullPath(path)}' do not exist. Give OpenAI's {NoReferenceWeights.ClipRn50FileName}, or leave --clip out to use ~/.cache/clip.", path);
        }

        using var source = TensorSources.Open(path);
        var config = ClipIqaConfig.FromCheckpoint(source);
        var poolPositions = (int)source.GetInfo("visual.attnpool.positional_embedding").Shape[0];
        return ModuleLoading.Load(new ClipIqaModel(config, poolPositions), device, model =>
        {
            ModuleLoading.Fill(model, source, path, "OpenAI's CLIP RN50", key => ArchiveExtras.Contains(key) ? null : key, logger);
            model.EncodePrompts();
        });
    }

    /// <summary>Encodes the prompts with the current weights (done by <see cref="Load"/>; once per set of weights).</summary>
    internal void EncodePrompts()
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        promptFeatures?.Dispose();
        promptFeatures = EncodeText(PromptTokens()).DetachFromDisposeScope();
    }

    /// <summary>The CLIP-IQA score of each image of [B, 3, H, W] in [0, 1]; returns [B].</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var probabilities = PairProbabilities(Logits(EncodeImage(input)));
        return probabilities.select(-1, 0).mean([1]).MoveToOuterDisposeScope();
    }

    /// <summary>The prompts as <c>clip.tokenize</c> makes them, [10, context] int64 on the model's device.</summary>
    internal Tensor PromptTokens()
    {
        var ids = ClipPrompts.Tokenize(ClipPrompts.Pairs, (int)positional_embedding.shape[0]);
        return tensor(ids.SelectMany(i => i).Select(i => (long)i).ToArray(), [ids.Length, ids[0].Length], int64, mean.device);
    }

    /// <summary>The image embeddings [B, embed] (no positional embedding in the pool).</summary>
    internal Tensor EncodeImage(Tensor images)
    {
        using var scope = NewDisposeScope();
        return visual.call(Normalize(images)).MoveToOuterDisposeScope();
    }

    /// <summary>The last ResNet stage's output of [B, 3, H, W] in [0, 1].</summary>
    internal Tensor ImageFeatures(Tensor images)
    {
        using var scope = NewDisposeScope();
        return visual.Features(Normalize(images)).MoveToOuterDisposeScope();
    }

    /// <summary>The text embeddings [T, embed] of token ids [T, context]: the end token's output, projected.</summary>
    internal Tensor EncodeText(Tensor tokens)
    {
        using var scope = NewDisposeScope();
        var x = token_embedding.call(tokens).Plus(positional_embedding);
        x = ln_final.call(transformer.call(x));
        var ends = tokens.argmax(-1);
        var picked = x[TensorIndex.Tensor(TensorArithmetic.Arange(tokens.shape[0], int64, tokens.device)), TensorIndex.Tensor(ends)];
        return picked.matmul(text_projection).MoveToOuterDisposeScope();
    }

    /// <summary>exp(logit_scale) x cosine similarity of each image with each prompt: [B, 10].</summary>
    internal Tensor Logits(Tensor imageEmbeddings)
    {
        using var scope = NewDisposeScope();
        var text = promptFeatures ?? throw new InvalidOperationException("The prompts are encoded when the model is loaded; use ClipIqaModel.Load.");
        var image = imageEmbeddings / imageEmbeddings.norm(-1, keepdim: true);
        var prompts = text / text.norm(-1, keepdim: true);
        return (logit_scale.exp() * image).matmul(prompts.t()).MoveToOuterDisposeScope();
    }

    /// <summary>The softmax within each antonym pair: [B, 5, 2].</summary>
    internal static Tensor PairProbabilities(Tensor logits) => logits.reshape(logits.shape[0], -1, 2).softmax(-1);

    /// <summary>The prompt embeddings encoded at load, [10, embed].</summary>
    internal Tensor PromptFeatures => promptFeatures ?? throw new InvalidOperationException("The prompts are encoded when the model is loaded.");

    /// <summary>Frees the module and the cached prompt embeddings.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            promptFeatures?.Dispose();
        }

        base.Dispose(disposing);
    }

    private Tensor Normalize(Tensor images) => (images.to(float32, mean.device) - mean) / std;

    /// <summary>The text blocks, <c>transformer.resblocks.{i}</c>.</summary>
    private sealed class TextTransformer : nn.Module<Tensor, Tensor>
    {
        private readonly Sequential resblocks;

        public TextTransformer(ClipIqaConfig config)
            : base(nameof(TextTransformer))
        {
            resblocks = nn.Sequential(Enumerable.Range(0, config.TextLayers)
                .Select(i => (i.ToString(System.Globalization.CultureInfo.InvariantCulture), (nn.Module<Tensor, Tensor>)new ClipTextBlock(config.TextWidth, config.TextHeads))));
            RegisterComponents();
        }

        public override Tensor forward(Tensor input) => resblocks.call(input);
    }
}
