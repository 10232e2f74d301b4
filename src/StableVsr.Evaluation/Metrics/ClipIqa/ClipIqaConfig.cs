using StableVsr.Weights;

namespace StableVsr.Evaluation.Metrics.ClipIqa;

/// <summary>
/// The sizes of an OpenAI CLIP with a modified-ResNet image tower, read from its state dict as OpenAI's
/// <c>build_model</c> does (RN50: widths 64, layers 3-4-6-3, embedding 1024, text 512 wide, 12 layers).
/// </summary>
/// <param name="EmbedSize">Width of the joint image-text space.</param>
/// <param name="VisionLayers">Bottlenecks in each of the four ResNet stages.</param>
/// <param name="VisionWidth">Width of the first stage (the stem ends at this many channels).</param>
/// <param name="ContextLength">Text positions (77).</param>
/// <param name="VocabSize">Token vocabulary (49408).</param>
/// <param name="TextWidth">Width of the text transformer.</param>
/// <param name="TextLayers">Text transformer blocks.</param>
internal sealed record ClipIqaConfig(int EmbedSize, int[] VisionLayers, int VisionWidth, int ContextLength, int VocabSize, int TextWidth, int TextLayers)
{
    /// <summary>Width of one attention head, in both towers (OpenAI's <c>width // 64</c> head counts).</summary>
    public const int HeadWidth = 64;

    /// <summary>OpenAI's RN50: embedding 1024, stages 3-4-6-3 from width 64, text 512 wide with 12 layers.</summary>
    public static ClipIqaConfig Rn50 { get; } = new(1024, [3, 4, 6, 3], 64, 77, 49408, 512, 12);

    /// <summary>Positions of RN50's attention-pool embedding (7x7 + 1 at 224 px); loaded, never added by CLIP-IQA.</summary>
    public const int Rn50PoolPositions = 50;

    /// <summary>Channels entering the attention pool: 32 x the first stage's width.</summary>
    public int PoolWidth => VisionWidth * 32;

    /// <summary>Heads of the attention pool.</summary>
    public int PoolHeads => PoolWidth / HeadWidth;

    /// <summary>Heads of the text transformer.</summary>
    public int TextHeads => TextWidth / HeadWidth;

    /// <summary>Reads the sizes from a CLIP state dict (a ResNet CLIP: <c>visual.layer1.0.conv1.weight</c> present).</summary>
    /// <exception cref="ModelLoadException">The file is not a ResNet CLIP.</exception>
    public static ClipIqaConfig FromCheckpoint(ITensorSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var where = source.Location ?? "the checkpoint";
        TensorInfo Info(string key) => source.Contains(key)
            ? source.GetInfo(key)
            : throw new ModelLoadException($"'{where}' is not an OpenAI CLIP with a ResNet image tower: it has no '{key}'. Give OpenAI's RN50.pt.", where);

        var layers = new int[4];
        for (var stage = 0; stage < 4; stage++)
        {
            while (source.Contains($"visual.layer{stage + 1}.{layers[stage]}.conv1.weight"))
            {
                layers[stage]++;
            }
        }

        var textLayers = 0;
        while (source.Contains($"transformer.resblocks.{textLayers}.ln_1.weight"))
        {
            textLayers++;
        }

        var config = new ClipIqaConfig(
            (int)Info("text_projection").Shape[1],
            layers,
            (int)Info("visual.layer1.0.conv1.weight").Shape[0],
            (int)Info("positional_embedding").Shape[0],
            (int)Info("token_embedding.weight").Shape[0],
            (int)Info("ln_final.weight").Shape[0],
            textLayers);
        if (layers.Any(l => l == 0) || textLayers == 0 || config.TextWidth % HeadWidth != 0 || config.PoolWidth % HeadWidth != 0)
        {
            throw new ModelLoadException($"'{where}' is not a ResNet CLIP StableVsr can run (stages [{string.Join(", ", layers)}], {textLayers} text layers, text width {config.TextWidth}).", where);
        }

        return config;
    }
}
