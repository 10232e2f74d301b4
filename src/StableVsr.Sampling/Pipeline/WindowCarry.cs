using static TorchSharp.torch;

namespace StableVsr.Sampling.Pipeline;

/// <summary>
/// What a window hands to the next window of the same sequence: its last LR frame (for the optical flow across the
/// boundary) and that frame's predicted x0 at every forward step (even step index), the latent the next window's
/// first frame is guided by at the same step. Tensors live on the state device; the object owns them.
/// </summary>
internal sealed class WindowCarry : IDisposable
{
    private readonly Tensor?[] x0ByStep;

    /// <summary>Takes ownership of the tensors.</summary>
    /// <param name="lastLowResolution">The window's last LR frame [1, 3, h, w] (padded as the models saw it).</param>
    /// <param name="x0ByStep">Per step index, the frame's predicted x0 [1, 4, h, w], or null at steps that are not kept (backward steps).</param>
    public WindowCarry(Tensor lastLowResolution, Tensor?[] x0ByStep)
    {
        ArgumentNullException.ThrowIfNull(lastLowResolution);
        ArgumentNullException.ThrowIfNull(x0ByStep);
        LastLowResolution = lastLowResolution;
        this.x0ByStep = x0ByStep;
    }

    /// <summary>The window's last LR frame [1, 3, h, w].</summary>
    public Tensor LastLowResolution { get; }

    /// <summary>The number of steps of the run the carry was made in.</summary>
    public int StepCount => x0ByStep.Length;

    /// <summary>Whether a step is one the carry keeps: forward passes, where the next window's first frame comes first.</summary>
    public static bool IsKeptStep(int step) => step % 2 == 0;

    /// <summary>The predicted x0 at step index <paramref name="step"/>.</summary>
    /// <exception cref="InvalidOperationException">The step is not kept.</exception>
    public Tensor X0(int step) =>
        x0ByStep[step] ?? throw new InvalidOperationException($"The window carry keeps no x0 for step {step}.");

    /// <inheritdoc />
    public void Dispose()
    {
        LastLowResolution.Dispose();
        foreach (var x0 in x0ByStep)
        {
            x0?.Dispose();
        }
    }
}
