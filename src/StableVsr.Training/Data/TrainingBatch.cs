using static TorchSharp.torch;

namespace StableVsr.Training.Data;

/// <summary>
/// A decoded batch of training windows as the dataset returns it: ground truth [B, 3, 3, H, W] and LR frames
/// [B, 3, 3, H/4, W/4], float32 in [0, 1] (8-bit value / 255, as basicsr reads images), held in managed memory so that
/// background threads can build it without touching libtorch.
/// </summary>
internal sealed class TrainingBatch
{
    public TrainingBatch(DataPosition position, IReadOnlyList<string> keys, float[] groundTruth, float[] lowResolution, int gtSize)
    {
        Position = position;
        Keys = keys;
        GroundTruth = groundTruth;
        LowResolution = lowResolution;
        GtSize = gtSize;
    }

    /// <summary>Where the batch is in the data stream.</summary>
    public DataPosition Position { get; }

    /// <summary>Each window's key, "sequence/first frame file" (for messages and logs).</summary>
    public IReadOnlyList<string> Keys { get; }

    /// <summary>Windows in the batch.</summary>
    public int Count => Keys.Count;

    /// <summary>Ground-truth crop side.</summary>
    public int GtSize { get; }

    /// <summary>The HR values, [B, 3, 3, H, W] in row-major order.</summary>
    public float[] GroundTruth { get; }

    /// <summary>The LR values, [B, 3, 3, H/4, W/4] in row-major order.</summary>
    public float[] LowResolution { get; }

    /// <summary>The ground truth as a CPU tensor.</summary>
    public Tensor GroundTruthTensor() => tensor(GroundTruth, [Count, 3, 3, GtSize, GtSize]);

    /// <summary>The LR frames as a CPU tensor.</summary>
    public Tensor LowResolutionTensor() => tensor(LowResolution, [Count, 3, 3, GtSize / 4, GtSize / 4]);
}
