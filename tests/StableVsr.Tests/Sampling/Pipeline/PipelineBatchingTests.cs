using StableVsr.Sampling.Noise;
using StableVsr.Tests.Support;
using StableVsr.Weights.Safetensors;
using static TorchSharp.torch;

namespace StableVsr.Tests.Sampling.Pipeline;

/// <summary>
/// Several clips upscaled in one run: clips of one frame size share the networks' calls, each keeps its own noise, and
/// every clip comes out as it does alone (within <see cref="BatchedTolerance"/>: batched kernels round differently).
/// </summary>
public class PipelineBatchingTests
{
    /// <summary>Batched and one-by-one results differ only by the rounding of batched kernels.</summary>
    private const double BatchedTolerance = 1e-5;

    private static readonly UpscaleOptions Options = UpscaleOptions.Default with { Steps = 2, Seed = 5 };

    [Test]
    public void BatchedClipsEqualClipsUpscaledAlone()
    {
        using var scope = NewDisposeScope();
        using var fixture = SafetensorsFile.Open(Fixtures.Case("pipeline.safetensors"));
        var frames = fixture.Load("lr_frames_u8").to(ScalarType.Float32).div(255f).mul(2f).sub(1f);
        var clips = new[]
        {
            frames,
            frames[..2].flip(3),
            rand([1, 3, 32, 36], generator: new Generator(9)).mul(2).sub(1),
        };
        var noises = new INoiseSource[] { new SeededNoiseSource(1), new SeededNoiseSource(2), new SeededNoiseSource(3) };
        using var pipeline = TinyPipeline.Load(Options);
        var reports = new List<(int Clip, UpscalePhase Phase)>();

        var batched = pipeline.Upscale(clips, noises, report: (clip, phase, _, _, _) => reports.Add((clip, phase)));

        Assert.That(reports.Where(r => r.Phase == UpscalePhase.Denoising).Select(r => r.Clip), Is.EquivalentTo(
            Enumerable.Repeat(0, 3 * 2).Concat(Enumerable.Repeat(1, 2 * 2)).Concat(Enumerable.Repeat(2, 1 * 2))));
        for (var c = 0; c < clips.Length; c++)
        {
            var alone = pipeline.Upscale(clips[c], noises[c]);
            TensorAssert.Close(batched[c], alone, c == 2 ? 0 : BatchedTolerance, $"clip {c} batched vs alone");
        }
    }

    [Test]
    public void BatchSizeOneProcessesClipsOneByOne()
    {
        using var scope = NewDisposeScope();
        var clips = new[] { rand([2, 3, 32, 32], generator: new Generator(4)).mul(2).sub(1), rand([1, 3, 32, 32], generator: new Generator(5)).mul(2).sub(1) };
        using var batchedPipeline = TinyPipeline.Load(Options);
        using var onePipeline = TinyPipeline.Load(Options with { ClipBatchSize = 1 });
        var oneByOne = onePipeline.Upscale(clips);
        var alone = clips.Select(c => onePipeline.Upscale(c)).ToArray();
        var batched = batchedPipeline.Upscale(clips);
        for (var c = 0; c < clips.Length; c++)
        {
            Assert.That(oneByOne[c].eq(alone[c]).all().item<bool>(), Is.True, $"clip {c}: ClipBatchSize 1 is exactly the single-clip path");
            TensorAssert.Close(batched[c], alone[c], BatchedTolerance, $"clip {c} batched vs alone");
        }
    }

    [Test]
    public async Task FramesOfSeveralClipsComeBackPerClipWithTheirNames()
    {
        static VideoFrame[] Clip(int count, int width, int height, int seed)
        {
            var random = new Random(seed);
            return Enumerable.Range(0, count).Select(i =>
            {
                var bytes = new byte[width * height * 3];
                random.NextBytes(bytes);
                return new VideoFrame(width, height, bytes, i + 10, $"clip{seed}-{i}.png");
            }).ToArray();
        }

        using var pipeline = TinyPipeline.Load(Options with { Steps = 1 });
        var clips = new[] { Clip(2, 32, 32, 1), Clip(1, 32, 32, 2) };
        var reports = new List<UpscaleProgress>();
        var upscaled = await pipeline.UpscaleClipsAsync(clips, new SynchronousProgress(reports.Add));
        var alone = await pipeline.UpscaleAsync(clips[1]);

        Assert.That(upscaled.Select(c => c.Select(f => (f.Width, f.Height, f.Index, f.Name))), Is.EqualTo(
            clips.Select(c => c.Select(f => (f.Width * 4, f.Height * 4, f.Index, f.Name)))));
        var levels = upscaled[1][0].Rgb.ToArray().Zip(alone[0].Rgb.ToArray(), (a, b) => Math.Abs(a - b)).Max();
        Assert.That(levels, Is.LessThanOrEqualTo(1), "8-bit frames of a batched clip equal the clip alone within one level");
        Assert.That(reports.Select(r => r.Clip).Distinct(), Is.EquivalentTo(new[] { 0, 1 }));
        Assert.That(reports.Select(r => r.ClipCount).Distinct(), Is.EqualTo(new[] { 2 }));
        Assert.That(reports.Select(r => r.Fraction), Is.Ordered);
        Assert.That(reports[^1].Phase, Is.EqualTo(UpscalePhase.Completed));
    }

    [Test]
    public void BadClipListsAreRefused()
    {
        using var pipeline = TinyPipeline.Load(Options);
        Assert.ThrowsAsync<InvalidInputException>(() => pipeline.UpscaleClipsAsync([]));
        Assert.ThrowsAsync<InvalidInputException>(() => pipeline.UpscaleClipsAsync([[]]));
        var mixed = new[] { new VideoFrame(32, 32, new byte[32 * 32 * 3], 0, "a.png"), new VideoFrame(36, 32, new byte[36 * 32 * 3], 1, "b.png") };
        var ex = Assert.ThrowsAsync<InvalidInputException>(() => pipeline.UpscaleClipsAsync([mixed]));
        Assert.That(ex!.Message, Does.Contain("clip 0").And.Contain("b.png"));
        using var frames = zeros(1, 3, 32, 32);
        Assert.Throws<InvalidInputException>(() => pipeline.Upscale([frames], [new SeededNoiseSource(1), new SeededNoiseSource(2)]));
    }
}
