namespace StableVsr.Orleans;

/// <summary>Converts <see cref="SamplingOptions"/> to and from <see cref="SamplingOptionsSurrogate"/> for Orleans' serializer.</summary>
[RegisterConverter]
internal sealed class SamplingOptionsConverter : IConverter<SamplingOptions, SamplingOptionsSurrogate>
{
    /// <inheritdoc />
    public SamplingOptions ConvertFromSurrogate(in SamplingOptionsSurrogate surrogate) => new()
    {
        Steps = surrogate.Steps,
        Seed = surrogate.Seed,
        Scheduler = surrogate.Scheduler switch
        {
            null => null,
            DdpmSchedulerOptions.DiffusersClassName => new DdpmSchedulerOptions(),
            DdimSchedulerOptions.DiffusersClassName => new DdimSchedulerOptions { Eta = surrogate.DdimEta },
            var other => throw new NotSupportedException($"A job names the scheduler {other}, which this worker does not implement."),
        },
        Prompt = surrogate.Prompt ?? string.Empty,
        RaftIterations = surrogate.RaftIterations,
        RaftNormalization = surrogate.RaftNormalization,
        NoiseLevel = surrogate.NoiseLevel,
        HalfPrecisionFlows = surrogate.HalfPrecisionFlows,
        VaeTileSize = surrogate.VaeTileSize,
        WindowSize = surrogate.WindowSize,
        GuideAcrossWindows = surrogate.GuideAcrossWindows,
    };

    /// <inheritdoc />
    public SamplingOptionsSurrogate ConvertToSurrogate(in SamplingOptions value) => new()
    {
        Steps = value.Steps,
        Seed = value.Seed,
        Scheduler = value.Scheduler?.ClassName,
        DdimEta = value.Scheduler is DdimSchedulerOptions ddim ? ddim.Eta : 0,
        Prompt = value.Prompt,
        RaftIterations = value.RaftIterations,
        RaftNormalization = value.RaftNormalization,
        NoiseLevel = value.NoiseLevel,
        HalfPrecisionFlows = value.HalfPrecisionFlows,
        VaeTileSize = value.VaeTileSize,
        WindowSize = value.WindowSize,
        GuideAcrossWindows = value.GuideAcrossWindows,
    };
}
