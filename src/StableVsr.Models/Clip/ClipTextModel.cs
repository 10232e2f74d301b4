using Microsoft.Extensions.Logging;
using StableVsr.Models.Blocks;
using StableVsr.Weights;
using StableVsr.Weights.Configs;
using TorchSharp;
using static TorchSharp.torch;

namespace StableVsr.Models.Clip;

/// <summary>
/// transformers' <c>CLIPTextModel</c> (the text encoder of Stable Diffusion), with parameter paths
/// <c>text_model.*</c> equal to the checkpoint's keys. Token ids [B, L] in, hidden states [B, L, hidden] out.
/// No attention mask is taken: like the Stable Diffusion pipelines, padding is attended to and only the causal
/// mask applies.
/// </summary>
internal sealed class ClipTextModel : nn.Module<Tensor, ClipTextOutput>
{
    // A buffer of arange(max_position_embeddings) that transformers persisted in older checkpoints.
    private const string PositionIdsKey = "text_model.embeddings.position_ids";

    private readonly ClipTextTransformer text_model;

    /// <summary>Builds the model with random weights, in eval mode.</summary>
    public ClipTextModel(ClipTextConfig config)
        : base(nameof(ClipTextModel))
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config;
        text_model = new ClipTextTransformer(config);
        RegisterComponents();
        eval();
    }

    /// <summary>The configuration the model was built from.</summary>
    public ClipTextConfig Config { get; }

    /// <summary>
    /// Loads a transformers text-encoder folder (<c>config.json</c> + <c>model.safetensors</c>, or the older
    /// <c>pytorch_model.bin</c>, keys <c>text_model.*</c>) for inference: eval mode, no gradients, on <paramref name="device"/> (CPU by default)
    /// in <paramref name="dtype"/> (the stored float32 by default). The <c>position_ids</c> buffer older
    /// checkpoints carry is ignored.
    /// </summary>
    /// <exception cref="ModelLoadException">The folder, config or weights are missing or do not match the config.</exception>
    /// <exception cref="UnsupportedConfigException">The config asks for something not implemented.</exception>
    /// <exception cref="InvalidInputException"><paramref name="dtype"/> is not a floating-point type.</exception>
    public static ClipTextModel FromPretrained(string folder, Device? device = null, ScalarType? dtype = null, ILogger? logger = null) =>
        PretrainedModels.Load(folder, path => new ClipTextModel(ClipTextConfig.Load(path, logger)), device, dtype, logger, key => key == PositionIdsKey ? null : key);

    /// <summary>Encodes token ids [B, L] (int64 or int32, L at most <see cref="ClipTextConfig.MaxPositionEmbeddings"/>).</summary>
    /// <exception cref="InvalidInputException">The ids are not a 2-D integer tensor, the sequence is empty or too long, or an id is outside the vocabulary.</exception>
    public override ClipTextOutput forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() != 2 || input.shape[1] == 0)
        {
            throw new InvalidInputException($"CLIP input_ids must be [batch, tokens] with at least one token, got shape [{string.Join(", ", input.shape)}].");
        }

        if (input.dtype != int64 && input.dtype != int32)
        {
            throw new InvalidInputException($"CLIP input_ids must be int64 or int32 token ids, got {input.dtype}.");
        }

        if (input.shape[1] > Config.MaxPositionEmbeddings)
        {
            throw new InvalidInputException($"CLIP input_ids hold {input.shape[1]} tokens but the model has only {Config.MaxPositionEmbeddings} positions; tokenize with truncation to {Config.MaxPositionEmbeddings}.");
        }

        using var scope = NewDisposeScope();
        var ids = input.to(int64, text_model.parameters().First().device);
        var (min, max) = (ids.min().item<long>(), ids.max().item<long>());
        if (min < 0 || max >= Config.VocabSize)
        {
            throw new InvalidInputException($"CLIP input_ids must lie in [0, {Config.VocabSize}) (the vocabulary size), got ids from {min} to {max}. Was the prompt tokenized with this model's tokenizer?");
        }

        var output = text_model.call(ids);
        output.LastHiddenState.MoveToOuterDisposeScope();
        output.PoolerOutput.MoveToOuterDisposeScope();
        output.PoolerIndex.MoveToOuterDisposeScope();
        return output;
    }
}
