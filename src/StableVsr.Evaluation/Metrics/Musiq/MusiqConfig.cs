using StableVsr.Weights;

namespace StableVsr.Evaluation.Metrics.Musiq;

/// <summary>
/// MUSIQ's architecture (Ke et al., ICCV 2021) as the released checkpoints use it: 32-px patches, a 10x10 hash grid,
/// the image resized to longer sides 224 and 384 plus the original resolution, a ResNet root 64 channels wide; the
/// transformer's size is read from the checkpoint (KonIQ-10k: 384 wide, 1152 MLP, 14 layers, 6 heads).
/// </summary>
/// <param name="Hidden">Token width.</param>
/// <param name="MlpSize">Width of the feed-forward layer.</param>
/// <param name="Layers">Transformer blocks.</param>
/// <param name="Heads">Attention heads.</param>
/// <param name="Outputs">Head outputs: 1 (a mean opinion score, KonIQ/SPAQ) or a distribution.</param>
internal sealed record MusiqConfig(int Hidden, int MlpSize, int Layers, int Heads, int Outputs)
{
    /// <summary>Patch side in pixels.</summary>
    public const int PatchSize = 32;

    /// <summary>Channels of the ResNet root.</summary>
    public const int StemWidth = 64;

    /// <summary>Width of one attention head in every released MUSIQ (384 / 6); the head count follows from the width.</summary>
    public const int HeadWidth = 64;

    /// <summary>The released KonIQ-10k checkpoint's sizes (pyiqa's defaults: 384 wide, 1152 MLP, 14 layers, 6 heads, one output).</summary>
    public static MusiqConfig KonIq { get; } = new(384, 1152, 14, 6, 1);

    /// <summary>Side of the hashed spatial position grid.</summary>
    public int GridSize { get; init; } = 10;

    /// <summary>The longer sides the image is resized to, ascending (scale ids 0, 1, ...); the original comes last.</summary>
    public IReadOnlyList<int> Scales { get; init; } = [224, 384];

    /// <summary>Reads the transformer's size from a MUSIQ state dict.</summary>
    /// <exception cref="ModelLoadException">The file does not hold MUSIQ's keys.</exception>
    public static MusiqConfig FromCheckpoint(ITensorSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        TensorInfo Info(string key) => source.Contains(key)
            ? source.GetInfo(key)
            : throw new ModelLoadException($"'{source.Location ?? "the checkpoint"}' is not a MUSIQ checkpoint: it has no '{key}'. Give pyiqa's musiq_koniq_ckpt-e95806b9.pth.", source.Location);

        var hidden = (int)Info("embedding.weight").Shape[0];
        var mlp = (int)Info("transformer_encoder.transformer.encoderblock_0.mlp.fc1.weight").Shape[0];
        var layers = 0;
        while (source.Contains($"transformer_encoder.transformer.encoderblock_{layers}.norm1.weight"))
        {
            layers++;
        }

        var outputs = (int)Info("head.weight").Shape[0];
        var scales = (int)Info("transformer_encoder.scaleembed_input.scale_emb").Shape[0];
        if (hidden % HeadWidth != 0 || scales != 3)
        {
            throw new ModelLoadException($"'{source.Location ?? "the checkpoint"}' is a MUSIQ of width {hidden} with {scales} scale embeddings; StableVsr supports widths that are multiples of {HeadWidth} and the 3 scales (224, 384, original) of the released checkpoints.", source.Location);
        }

        return new MusiqConfig(hidden, mlp, layers, hidden / HeadWidth, outputs);
    }
}
