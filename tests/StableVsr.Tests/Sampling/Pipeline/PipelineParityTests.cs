using System.Globalization;
using StableVsr.Sampling.Pipeline;
using StableVsr.Tensors;
using StableVsr.Tests.Support;
using StableVsr.Weights.Safetensors;
using static TorchSharp.torch;

namespace StableVsr.Tests.Sampling.Pipeline;

/// <summary>
/// End-to-end parity with the reference StableVSR pipeline on the fixture sequence: same frames, prompt embeddings and
/// noises in, the same frames out (max |diff| &lt;= 1e-4, 8-bit frames within one level).
/// </summary>
[Category("Parity")]
[Parallelizable(ParallelScope.Self)]
public class PipelineParityTests
{
    [Test]
    public void MatchesTheReferencePipeline()
    {
        using var fixture = SafetensorsFile.Open(Fixtures.Case("pipeline.safetensors"));
        var steps = int.Parse(fixture.Metadata["num_inference_steps"], CultureInfo.InvariantCulture);
        Assert.That(double.Parse(fixture.Metadata["guidance_scale"], CultureInfo.InvariantCulture), Is.Zero, "the port implements guidance 0 only");
        using var pipeline = TinyPipeline.Load(UpscaleOptions.Default with { Sampling = SamplingOptions.Default with { Steps = steps } }, TestDevice.Compute);
        using var scope = NewDisposeScope();
        var frames = fixture.Load("lr_frames_u8");
        var lowResolution = LowResolution(frames);
        var promptEmbeds = fixture.Load("prompt_embeds");
        var expected = fixture.Load("out");

        var actual = pipeline.Upscale(lowResolution, new FixtureNoiseSource(fixture), promptEmbeds).cpu();

        Assert.That(actual.shape, Is.EqualTo(expected.shape));
        var maxDiff = actual.sub(expected).abs().max().item<float>();
        var levels = actual.Times(255).round().sub(expected.Times(255).round()).abs();
        var maxLevels = levels.max().item<float>();
        var changed = levels.gt(ScalarCache.Of(0)).sum().item<long>();
        TestContext.Out.WriteLine($"pipeline: max |diff| = {maxDiff:E3}; 8-bit: max {maxLevels} level(s), {changed} of {levels.NumberOfElements} values differ");
        Assert.That(maxDiff, Is.LessThanOrEqualTo(1e-4));
        Assert.That(maxLevels, Is.LessThanOrEqualTo(1));
    }

    /// <summary>
    /// The tiny networks barely react to the flow (1.1e-4 between RAFT's modes), so the output alone would not catch
    /// a flow regression: compare the flows the pipeline computes with those of the reference's compute_flows.
    /// </summary>
    [Test]
    public void ComputesTheReferenceFlows()
    {
        using var fixture = SafetensorsFile.Open(Fixtures.Case("pipeline.safetensors"));
        using var pipeline = TinyPipeline.Load(device: TestDevice.Compute);
        using var scope = NewDisposeScope();
        var lowResolution = TestDevice.On(LowResolution(fixture.Load("lr_frames_u8")));
        var count = (int)lowResolution.shape[0];

        using var flows = SequenceFlows.Compute(pipeline.Models.Raft, lowResolution, null, SamplingOptions.Default.RaftIterations, SamplingOptions.Default.RaftNormalization, null, ScalarType.Float32, CancellationToken.None);

        for (var i = 0; i < count - 1; i++)
        {
            // forward_flows[i] maps frame i+1 onto frame i; backward_flows was reversed, so its element i maps frame count-2-i onto count-1-i.
            TensorAssert.Close(flows.Forward(i + 1), fixture.Load($"flow_fwd_{i}"), 1e-3, $"flow_fwd_{i}");
            TensorAssert.Close(flows.Backward(count - 2 - i), fixture.Load($"flow_bwd_{i}"), 1e-3, $"flow_bwd_{i}");
        }
    }

    // The pipeline's input from 8-bit frames: u8 / 255 mapped to [-1, 1], with the Scalars held (SVSR001).
    private static Tensor LowResolution(Tensor frames) => frames.to(ScalarType.Float32).DividedBy(255.0).Times(2.0).Minus(1.0);
}
