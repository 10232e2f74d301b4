using TorchSharp;

namespace StableVsr.Sampling.Schedulers;

/// <summary>
/// What one scheduler step produces. Both tensors are new tensors owned by the caller (they live in the caller's
/// dispose scope, if any); <see cref="Dispose"/> frees both.
/// </summary>
/// <param name="PrevSample">x_{t−1}: the sample for the next (earlier) timestep.</param>
/// <param name="PredOriginalSample">The predicted clean sample x0 at this timestep, after clipping or thresholding.</param>
internal sealed record SchedulerStepResult(torch.Tensor PrevSample, torch.Tensor PredOriginalSample) : IDisposable
{
    /// <summary>Disposes both tensors.</summary>
    public void Dispose()
    {
        PrevSample.Dispose();
        PredOriginalSample.Dispose();
    }
}
