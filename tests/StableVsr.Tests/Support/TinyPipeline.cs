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

    /// <summary>Loads the tiny models on <paramref name="device"/> (the CPU by default) in <paramref name="precision"/> (float32 by default).</summary>
    public static StableVsrModels LoadModels(PrecisionPolicy? precision = null, ComputeDevice? device = null) =>
        new StableVsrModelLoader().LoadAsync(Source, device ?? ComputeDevice.Cpu, precision ?? PrecisionPolicy.Float32).GetAwaiter().GetResult();

    /// <summary>Loads a pipeline with <paramref name="options"/>, its device forced to <paramref name="device"/> (the CPU by default).</summary>
    public static StableVsrPipeline Load(UpscaleOptions? options = null, ComputeDevice? device = null)
    {
        options = (options ?? UpscaleOptions.Default) with { Device = device ?? ComputeDevice.Cpu };
        return new StableVsrPipeline(LoadModels(options.Precision, options.Device), options);
    }
}
