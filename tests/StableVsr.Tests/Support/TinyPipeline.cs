using StableVsr.Models.Loading;
using StableVsr.Sampling.Pipeline;

namespace StableVsr.Tests.Support;

/// <summary>Loads the fixtures' tiny StableVSR checkpoint and random RAFT-large as a CPU pipeline.</summary>
public static class TinyPipeline
{
    /// <summary>The tiny model folder.</summary>
    public static string ModelFolder => Fixtures.Path("tiny-stablevsr");

    /// <summary>The RAFT-large weights (.pth).</summary>
    public static string RaftWeights => Fixtures.Path("raft", "raft_large_random.pth");

    /// <summary>The fixtures' model and RAFT weights.</summary>
    public static ModelSource Source => new(ModelFolder, RaftWeights);

    /// <summary>Loads the tiny models on the CPU in <paramref name="precision"/> (float32 by default).</summary>
    public static StableVsrModels LoadModels(PrecisionPolicy? precision = null) =>
        new StableVsrModelLoader().LoadAsync(Source, ComputeDevice.Cpu, precision ?? PrecisionPolicy.Float32).GetAwaiter().GetResult();

    /// <summary>Loads a pipeline with <paramref name="options"/> (device forced to the CPU).</summary>
    public static StableVsrPipeline Load(UpscaleOptions? options = null)
    {
        options = (options ?? UpscaleOptions.Default) with { Device = ComputeDevice.Cpu };
        return new StableVsrPipeline(LoadModels(options.Precision), options);
    }
}
