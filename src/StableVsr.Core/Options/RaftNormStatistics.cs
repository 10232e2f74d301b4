namespace StableVsr;

/// <summary>
/// Which statistics the <c>BatchNorm2d</c> layers of RAFT's context encoder normalise with. StableVSR never calls
/// <c>.eval()</c> on RAFT, so in its scripts those layers run in training mode and use the statistics of each call's
/// batch; the running statistics stored in the checkpoint are never used for output there.
/// </summary>
public enum RaftNormStatistics
{
    /// <summary>
    /// Each sample is normalised with its own mean and biased variance (per channel, over its spatial positions).
    /// This reproduces StableVSR's <c>test.py</c> (the pipeline) and <c>eval.py</c> (tOF), which call RAFT one image
    /// pair at a time, and gives the same flows whether pairs are batched or not. The default, and the mode behind
    /// StableVSR's published results.
    /// </summary>
    PerSample,

    /// <summary>
    /// The statistics are shared by the whole batch (PyTorch's training-mode <c>BatchNorm2d</c>): the flow of one
    /// sample depends on the others. This reproduces StableVSR's <c>train.py</c>, which calls RAFT on a whole
    /// training batch at once. The running statistics are not updated.
    /// </summary>
    Batch,

    /// <summary>
    /// The running statistics stored in the checkpoint (PyTorch's eval-mode <c>BatchNorm2d</c>): torchvision's
    /// inference behaviour, as <c>raft_large(...).eval()</c> computes flows. Not what StableVSR computes.
    /// </summary>
    Running,
}
