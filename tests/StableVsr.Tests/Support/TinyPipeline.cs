using StableVsr.Tensors;
using StableVsr.Models.Loading;
using StableVsr.Sampling.Pipeline;
using StableVsr.Weights.Safetensors;
using static TorchSharp.torch;

namespace StableVsr.Tests.Support;

/// <summary>Loads the fixtures' tiny StableVSR checkpoint and random RAFT-large as a CPU pipeline.</summary>
public static class TinyPipeline
{
    /// <summary>The tiny model folder.</summary>
    public static string ModelFolder => Fixtures.Path("tiny-stablevsr");

    /// <summary>The RAFT-large weights (.pth).</summary>
    public static string RaftWeights => Fixtures.Path("raft", "raft_large_random.pth");

    /// <summary>The reference sequence's LR frames (<c>cases/pipeline.safetensors</c>) as [N, 3, h, w] in [-1, 1].</summary>
    public static Tensor FixtureFrames()
    {
        using var fixture = SafetensorsFile.Open(Fixtures.Case("pipeline.safetensors"));
        using var bytes = fixture.Load("lr_frames_u8");
        using var floats = bytes.to(ScalarType.Float32);
        using var unit = floats.DividedBy(255.0);
        using var doubled = unit.Times(2.0);
        return doubled.Minus(1.0);
    }

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
