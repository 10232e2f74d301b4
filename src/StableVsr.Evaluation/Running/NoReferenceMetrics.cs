using StableVsr.Evaluation.Metrics.ClipIqa;
using StableVsr.Evaluation.Metrics.Musiq;
using StableVsr.Evaluation.Metrics.Niqe;
using static TorchSharp.torch;

namespace StableVsr.Evaluation.Running;

/// <summary>
/// The metrics that judge an output frame alone (MUSIQ, CLIP-IQA, NIQE), frame by frame as eval.py calls them: their
/// shapes depend on the frame's size, and NIQE refuses frames smaller than one 96x96 block (the value is left out).
/// </summary>
internal sealed class NoReferenceMetrics(MusiqModel? musiq, ClipIqaModel? clip, NiqeScore? niqe) : IDisposable
{
    /// <summary>Whether any of the three is loaded.</summary>
    public bool Any => musiq is not null || clip is not null || niqe is not null;

    /// <summary>Adds each loaded metric's value of each frame of <paramref name="output"/> [B, 3, H, W] in [0, 1] to <paramref name="values"/>.</summary>
    public void Score(Tensor output, Dictionary<Metric, double>[] values)
    {
        using var scope = NewDisposeScope();
        for (var b = 0; b < values.Length; b++)
        {
            var frame = output.narrow(0, b, 1);
            if (musiq is not null)
            {
                // eval.py keeps each value as .item() of a float32 tensor (MUSIQ, CLIP-IQA) or float64 (NIQE).
                values[b][Metric.Musiq] = Single(musiq.call(frame));
            }

            if (clip is not null)
            {
                values[b][Metric.ClipIqa] = Single(clip.call(frame));
            }

            if (niqe is not null && NiqeScore.Fits(frame.shape[2], frame.shape[3]))
            {
                values[b][Metric.Niqe] = niqe.Score(frame);
            }
        }
    }

    public void Dispose()
    {
        musiq?.Dispose();
        clip?.Dispose();
        niqe?.Dispose();
    }

    private static double Single(Tensor score) => score.to(float32, CPU).item<float>();
}
