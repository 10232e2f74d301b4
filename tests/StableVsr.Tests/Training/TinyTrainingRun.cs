using Microsoft.Extensions.Logging.Abstractions;
using StableVsr.Tests.Support;
using StableVsr.Training;

namespace StableVsr.Tests.Training;

/// <summary>Training runs of the fixtures' tiny model on small generated data, on the CPU, for tests.</summary>
internal static class TinyTrainingRun
{
    /// <summary>
    /// Options for <paramref name="data"/> into <paramref name="output"/>: 128 px crops, batch 2, one decoding thread, and 2
    /// RAFT updates instead of 12 (RAFT-large dominates a tiny step; these tests prove the loop, the parity test the flow).
    /// </summary>
    public static TrainingOptions Options(string data, string output) => new()
    {
        Model = TinyPipeline.ModelFolder,
        Raft = TinyPipeline.RaftWeights,
        Data = data,
        Output = output,
        Device = ComputeDevice.Cpu,
        GtSize = 128,
        BatchSize = 2,
        LearningRate = 1e-3,
        ConditioningEmbeddingChannels = [8, 16, 32],
        ExcludedPartition = ExcludedPartition.None,
        DataWorkers = 1,
        PrefetchBatches = 2,
        RaftIterations = 2,
    };

    /// <summary>Runs a session synchronously on this thread.</summary>
    public static TrainingResult Run(TrainingOptions options, Func<TrainingOptions, TrainingSession>? create = null, CancellationToken cancellationToken = default)
    {
        options.Validate();
        using var session = create?.Invoke(options) ?? Session(options);
        return session.Run(null, cancellationToken);
    }

    /// <summary>A session over the tiny model.</summary>
    public static TrainingSession Session(TrainingOptions options) =>
        new(options, TinyPipeline.ModelFolder, TinyPipeline.RaftWeights, NullLoggerFactory.Instance);
}
