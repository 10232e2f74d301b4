namespace StableVsr.Orleans;

/// <summary>
/// <see cref="SamplingOptions"/> as grain messages and job state carry it: StableVsr.Core knows nothing of Orleans, so
/// its options travel through this surrogate (the scheduler by its diffusers class name and DDIM's eta).
/// </summary>
[GenerateSerializer, Immutable, Alias("StableVsr.SamplingOptions")]
internal struct SamplingOptionsSurrogate
{
    [Id(0)]
    public int Steps;

    [Id(1)]
    public long Seed;

    [Id(2)]
    public string? Scheduler;

    [Id(3)]
    public double DdimEta;

    [Id(4)]
    public string Prompt;

    [Id(5)]
    public int RaftIterations;

    [Id(6)]
    public RaftNormStatistics RaftNormalization;

    [Id(7)]
    public int NoiseLevel;

    [Id(8)]
    public bool HalfPrecisionFlows;

    [Id(9)]
    public int? VaeTileSize;

    [Id(10)]
    public int WindowSize;

    [Id(11)]
    public bool GuideAcrossWindows;
}
