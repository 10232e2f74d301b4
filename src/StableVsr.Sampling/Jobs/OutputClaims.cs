namespace StableVsr.Sampling.Jobs;

/// <summary>The locks a run holds (<see cref="UpscaleJobPlan.Claim"/>), released together, last taken first.</summary>
internal sealed class OutputClaims(IReadOnlyList<OutputLock> locks) : IDisposable
{
    /// <summary>Releases every lock.</summary>
    public void Dispose()
    {
        for (var i = locks.Count - 1; i >= 0; i--)
        {
            locks[i].Dispose();
        }
    }
}
