using StableVsr.Sampling.Pipeline;

namespace StableVsr.Tests.Support;

/// <summary>Loads the fixtures' tiny StableVSR checkpoint and random RAFT-large as a CPU pipeline.</summary>
public static class TinyPipeline
{
    /// <summary>The tiny model folder.</summary>
    public static string ModelFolder => Fixtures.Path("tiny-stablevsr");

    /// <summary>The RAFT-large weights (.pth).</summary>
    public static string RaftWeights => Fixtures.Path("raft", "raft_large_random.pth");

    /// <summary>Loads a pipeline with <paramref name="options"/> (device forced to the CPU).</summary>
    public static StableVsrPipeline Load(UpscaleOptions? options = null) =>
        StableVsrPipeline.LoadAsync(new PipelineSource(ModelFolder, RaftWeights), (options ?? UpscaleOptions.Default) with { Device = "cpu" })
            .GetAwaiter().GetResult();
}
