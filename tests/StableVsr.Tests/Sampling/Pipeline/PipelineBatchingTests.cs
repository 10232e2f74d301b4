using StableVsr.Sampling.Noise;
using StableVsr.Tests.Support;
using StableVsr.Weights.Safetensors;
using static TorchSharp.torch;

namespace StableVsr.Tests.Sampling.Pipeline;

/// <summary>
/// Several sequences upscaled in one run: sequences of one frame size share the networks' calls, each keeps its own noise, and
/// every sequence comes out as it does alone (within <see cref="BatchedTolerance"/>: batched kernels round differently).
/// </summary>
[Parallelizable(ParallelScope.Self)]
public class PipelineBatchingTests
{
    /// <summary>Batched and one-by-one results differ only by the rounding of batched kernels.</summary>
    private const double BatchedTolerance = 1e-5;

    private static readonly UpscaleOptions Options = UpscaleOptions.Default with { Sampling = SamplingOptions.Default with { Steps = 2, RaftIterations = 2, Seed = 5 } };

    [Test]
    public void BatchedSequencesEqualSequencesUpscaledAlone()
    {
        using var scope = NewDisposeScope();
        using var fixture = SafetensorsFile.Open(Fixtures.Case("pipeline.safetensors"));
        var frames = fixture.Load("lr_frames_u8").to(ScalarType.Float32).div(255f).mul(2f).sub(1f);
        var sequences = new[]
        {
            frames,
            frames[..2].flip(3),
            rand([1, 3, 32, 36], generator: new Generator(9)).mul(2).sub(1),
        };
        var noises = new INoiseSource[] { new SeededNoiseSource(1), new SeededNoiseSource(2), new SeededNoiseSource(3) };
        using var pipeline = TinyPipeline.Load(Options);
        var reports = new List<(int Sequence, UpscalePhase Phase)>();

        var batched = pipeline.UpscaleSequences(sequences, noises, report: (sequence, phase, _, _, _) => reports.Add((sequence, phase)));

        Assert.That(reports.Where(r => r.Phase == UpscalePhase.Denoising).Select(r => r.Sequence), Is.EquivalentTo(
            Enumerable.Repeat(0, 3 * 2).Concat(Enumerable.Repeat(1, 2 * 2)).Concat(Enumerable.Repeat(2, 1 * 2))));
        for (var c = 0; c < sequences.Length; c++)
        {
            var alone = pipeline.Upscale(sequences[c], noises[c]);
            TensorAssert.Close(batched[c], alone, c == 2 ? 0 : BatchedTolerance, $"sequence {c} batched vs alone");
        }
    }

    [Test]
    public void BatchSizeOneProcessesSequencesOneByOne()
    {
        using var scope = NewDisposeScope();
        var sequences = new[] { rand([2, 3, 32, 32], generator: new Generator(4)).mul(2).sub(1), rand([1, 3, 32, 32], generator: new Generator(5)).mul(2).sub(1) };
        using var batchedPipeline = TinyPipeline.Load(Options);
        using var onePipeline = TinyPipeline.Load(Options with { SequenceBatchSize = 1 });
        var oneByOne = onePipeline.UpscaleSequences(sequences);
        var alone = sequences.Select(c => onePipeline.Upscale(c)).ToArray();
        var batched = batchedPipeline.UpscaleSequences(sequences);
        for (var c = 0; c < sequences.Length; c++)
        {
            Assert.That(oneByOne[c].eq(alone[c]).all().item<bool>(), Is.True, $"sequence {c}: SequenceBatchSize 1 is exactly the single-clip path");
            TensorAssert.Close(batched[c], alone[c], BatchedTolerance, $"sequence {c} batched vs alone");
        }
    }

    [Test]
    public async Task FramesOfSeveralSequencesComeBackPerSequenceWithTheirNames()
    {
        static VideoFrame[] Sequence(int count, int width, int height, int seed)
        {
            var random = new Random(seed);
            return Enumerable.Range(0, count).Select(i =>
            {
                var bytes = new byte[width * height * 3];
                random.NextBytes(bytes);
                return new VideoFrame(width, height, bytes, i + 10, $"sequence{seed}-{i}.png");
            }).ToArray();
        }

        using var pipeline = TinyPipeline.Load(Options with { Sampling = Options.Sampling with { Steps = 1 } });
        var sequences = new[] { Sequence(2, 32, 32, 1), Sequence(1, 32, 32, 2) };
        var reports = new List<UpscaleProgress>();
        var upscaled = await pipeline.UpscaleSequencesAsync(sequences, new SynchronousProgress(reports.Add));
        var alone = await pipeline.UpscaleAsync(sequences[1]);

        Assert.That(upscaled.Select(c => c.Select(f => (f.Width, f.Height, f.Index, f.Name))), Is.EqualTo(
            sequences.Select(c => c.Select(f => (f.Width * 4, f.Height * 4, f.Index, f.Name)))));
        var levels = upscaled[1][0].Rgb.ToArray().Zip(alone[0].Rgb.ToArray(), (a, b) => Math.Abs(a - b)).Max();
        Assert.That(levels, Is.LessThanOrEqualTo(1), "8-bit frames of a batched sequence equal the sequence alone within one level");
        Assert.That(reports.Select(r => r.Sequence).Distinct(), Is.EquivalentTo(new[] { 0, 1 }));
        Assert.That(reports.Select(r => r.SequenceCount).Distinct(), Is.EqualTo(new[] { 2 }));
        Assert.That(reports.Select(r => r.Fraction), Is.Ordered);
        Assert.That(reports[^1].Phase, Is.EqualTo(UpscalePhase.Completed));
    }

    [Test]
    public void BadSequenceListsAreRefused()
    {
        using var pipeline = TinyPipeline.Load(Options);
        Assert.ThrowsAsync<InvalidInputException>(() => pipeline.UpscaleSequencesAsync([]));
        Assert.ThrowsAsync<InvalidInputException>(() => pipeline.UpscaleSequencesAsync([[]]));
        var mixed = new[] { new VideoFrame(32, 32, new byte[32 * 32 * 3], 0, "a.png"), new VideoFrame(36, 32, new byte[36 * 32 * 3], 1, "b.png") };
        var ex = Assert.ThrowsAsync<InvalidInputException>(() => pipeline.UpscaleSequencesAsync([mixed]));
        Assert.That(ex!.Message, Does.Contain("sequence 0").And.Contain("b.png"));
        using var frames = zeros(1, 3, 32, 32);
        Assert.Throws<InvalidInputException>(() => pipeline.UpscaleSequences([frames], [new SeededNoiseSource(1), new SeededNoiseSource(2)]));
    }
}
