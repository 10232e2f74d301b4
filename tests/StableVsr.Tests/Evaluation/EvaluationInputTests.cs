using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using StableVsr.Evaluation;
using StableVsr.Evaluation.Metrics;
using StableVsr.Tests.Support;
using TorchSharp;

namespace StableVsr.Tests.Evaluation;

/// <summary>Bad and unusual input: what eval.py would silently get wrong or crash on, refused or handled and said.</summary>
public class EvaluationInputTests
{
    private static readonly EvaluationOptions PixelMetrics = EvaluationOptions.Default with { Metrics = [Metric.Psnr, Metric.Ssim], Device = ComputeDevice.Cpu };

    private TempFolder folder = null!;

    [SetUp]
    public void CreateFolder() => folder = new TempFolder();

    [TearDown]
    public void DeleteFolder() => folder.Dispose();

    [Test]
    public async Task DifferentFrameCountsAreRefusedUnlessTruncating()
    {
        WriteSequence("gt", "a", 3);
        WriteSequence("out", "a", 2);
        using var evaluator = await VideoEvaluator.LoadAsync(options: PixelMetrics);

        var error = Assert.ThrowsAsync<InvalidInputException>(() => Evaluate(evaluator));
        Assert.That(error!.Message, Does.Contain("Sequence 'a' has 2 output frame(s)").And.Contain("3 ground-truth").And.Contain("--truncate"));

        using var truncating = await VideoEvaluator.LoadAsync(options: PixelMetrics with { Truncate = true });
        var result = await Evaluate(truncating);
        Assert.That(result.Frames, Has.Count.EqualTo(2));
        Assert.That(result.Notes, Has.Some.Contains("only the first 2 pairs"));
    }

    [Test]
    public async Task DifferentSizesNameTheSequenceAndFrame()
    {
        WriteSequence("gt", "a", 2);
        WriteSequence("out", "a", 2);
        WriteFrame(folder.File("out", "a", "00000001.png"), 40, 24, 7);
        using var evaluator = await VideoEvaluator.LoadAsync(options: PixelMetrics);

        var error = Assert.ThrowsAsync<InvalidInputException>(() => Evaluate(evaluator));

        Assert.That(error!.Message, Does.Contain("Sequence 'a', frame 1").And.Contain("40x24").And.Contain("48x32"));
    }

    [Test]
    public async Task MissingSequencesAreNamedOnEitherSide()
    {
        WriteSequence("gt", "a", 1);
        WriteSequence("gt", "b", 1);
        WriteSequence("out", "a", 1);
        WriteSequence("out", "c", 1);
        using var evaluator = await VideoEvaluator.LoadAsync(options: PixelMetrics);

        var noTruth = Assert.ThrowsAsync<InvalidInputException>(() => Evaluate(evaluator));
        Assert.That(noTruth!.Message, Does.Contain("'c'").And.Contain("no ground truth"));

        Directory.Delete(folder.File("out", "c"), recursive: true);
        var noOutput = Assert.ThrowsAsync<InvalidInputException>(() => Evaluate(evaluator));
        Assert.That(noOutput!.Message, Does.Contain("'b'").And.Contain("--sequences"));

        using var chosen = await VideoEvaluator.LoadAsync(options: PixelMetrics with { Sequences = ["a"] });
        Assert.That((await Evaluate(chosen)).Sequences.Select(s => s.Name), Is.EqualTo(new[] { "a" }));
    }

    [Test]
    public async Task GreyscaleRgbaAnd16BitPngsAreConvertedAndSaid()
    {
        WriteSequence("gt", "a", 3);
        WriteSequence("out", "a", 3);
        using (var grey = new Image<L8>(48, 32, new L8(90)))
        {
            grey.SaveAsPng(folder.File("out", "a", "00000000.png"), new PngEncoder { ColorType = PngColorType.Grayscale });
        }

        using (var rgba = new Image<Rgba32>(48, 32, new Rgba32(10, 200, 30, 40)))
        {
            rgba.SaveAsPng(folder.File("out", "a", "00000001.png"), new PngEncoder { ColorType = PngColorType.RgbWithAlpha });
        }

        using (var deep = new Image<Rgb48>(48, 32, new Rgb48(65535, 0, 32768)))
        {
            deep.SaveAsPng(folder.File("gt", "a", "00000002.png"), new PngEncoder { ColorType = PngColorType.Rgb, BitDepth = PngBitDepth.Bit16 });
        }

        using var evaluator = await VideoEvaluator.LoadAsync(options: PixelMetrics);
        var result = await Evaluate(evaluator);

        foreach (var note in result.Notes)
        {
            TestContext.Out.WriteLine(note);
        }

        Assert.That(result.Frames, Has.Count.EqualTo(3));
        Assert.That(result.Notes, Has.Some.Contains("1 output frame(s) converted from 8-bit greyscale PNG"));
        Assert.That(result.Notes, Has.Some.Contains("1 output frame(s) converted from 8-bit RGBA (alpha dropped) PNG"));
        Assert.That(result.Notes, Has.Some.Contains("1 ground-truth frame(s) converted from 16-bit RGB PNG"));
        Assert.That(result.Frames.All(f => double.IsFinite(f.Get(Metric.Psnr)!.Value)), Is.True);
    }

    [Test]
    public async Task OneFrameSequenceHasUndefinedTemporalMetrics()
    {
        WriteSequence("gt", "a", 1);
        WriteSequence("out", "a", 1, seed: 3);
        using var evaluator = await VideoEvaluator.LoadAsync(new EvaluationWeights(AlexNet: MetricsCase.AlexNetWeights), PixelMetrics with { Metrics = [Metric.Psnr, Metric.TLpips] });

        var result = await Evaluate(evaluator);

        Assert.That(result.Frames.Single().Get(Metric.TLpips), Is.Null);
        Assert.That(result.Sequences.Single().Means[Metric.TLpips], Is.NaN);
        Assert.That(result.SummaryLine, Does.Match(@"^PSNR: \d+\.\d+, tLPIPS: nan$"));
        Assert.That(result.Notes, Has.Some.Contains("one frame"));
    }

    [Test]
    public async Task IdenticalFramesGiveInfinitePsnrAsEvalPy()
    {
        WriteSequence("gt", "a", 2);
        WriteSequence("out", "a", 2);
        using var evaluator = await VideoEvaluator.LoadAsync(options: PixelMetrics);

        var result = await Evaluate(evaluator);

        Assert.That(result.SummaryLine, Is.EqualTo("PSNR: inf, SSIM: 1.0"));
    }

    [Test]
    public async Task FramesRaftCannotTakeAreRefusedForTofUnlessPadded()
    {
        WriteSequence("gt", "a", 2, width: 132, height: 120);
        WriteSequence("out", "a", 2, width: 132, height: 120, seed: 5);
        var options = PixelMetrics with { Metrics = [Metric.Tof] };
        var weights = new EvaluationWeights(Raft: MetricsCase.RaftWeights);
        using var evaluator = await VideoEvaluator.LoadAsync(weights, options);

        var error = Assert.ThrowsAsync<InvalidInputException>(() => Evaluate(evaluator));
        Assert.That(error!.Message, Does.Contain("132x120").And.Contain("--tof-pad"));

        using var padding = await VideoEvaluator.LoadAsync(weights, options with { PadFramesForFlow = true });
        var tof = (await Evaluate(padding)).Frames[1].Get(Metric.Tof);
        TestContext.Out.WriteLine($"tOF on padded 132x120 frames: {tof}");
        Assert.That(tof, Is.GreaterThan(0).And.LessThan(1000));
    }

    [Test]
    public void LpipsRefusesValuesOutsideZeroToOne()
    {
        using var scope = torch.NewDisposeScope();
        var image = torch.rand(1, 3, 64, 64);

        var error = Assert.Throws<InvalidInputException>(() => MetricsCase.Lpips.call(image * 2 - 1, image));

        Assert.That(error!.Message, Does.Contain("[0, 1]").And.Contain("x / 2 + 0.5"));
    }

    [Test]
    public void MetricsRefuseMismatchedShapes()
    {
        using var scope = torch.NewDisposeScope();
        var error = Assert.Throws<InvalidInputException>(() => Psnr.Compute(torch.rand(1, 3, 16, 16), torch.rand(1, 3, 16, 17)));

        Assert.That(error!.Message, Does.Contain("same shape"));
    }

    [Test]
    public async Task InMemorySequencesOfDifferentLengthsAreRefused()
    {
        using var evaluator = await VideoEvaluator.LoadAsync(options: PixelMetrics);
        var frames = Enumerable.Range(0, 3).Select(i => new VideoFrame(16, 16, new byte[16 * 16 * 3], i)).ToArray();

        var error = Assert.ThrowsAsync<InvalidInputException>(async () =>
        {
            await foreach (var _ in evaluator.EvaluateSequenceAsync("s", frames.ToAsyncEnumerable(), frames.Take(2).ToAsyncEnumerable()))
            {
            }
        });

        Assert.That(error!.Message, Does.Contain("the output ends after 2 frame(s)"));
    }

    private Task<EvaluationResult> Evaluate(VideoEvaluator evaluator) => evaluator.EvaluateFoldersAsync(folder.File("out"), folder.File("gt"));

    private void WriteSequence(string side, string sequence, int frames, int width = 48, int height = 32, int seed = 1)
    {
        Directory.CreateDirectory(folder.File(side, sequence));
        for (var k = 0; k < frames; k++)
        {
            WriteFrame(folder.File(side, sequence, $"{k:D8}.png"), width, height, seed + k);
        }
    }

    private static void WriteFrame(string path, int width, int height, int seed)
    {
        var random = new Random(seed);
        using var image = new Image<Rgb24>(width, height);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                image[x, y] = new Rgb24((byte)((x * 5) + random.Next(8)), (byte)((y * 7) + random.Next(8)), (byte)random.Next(256));
            }
        }

        image.SaveAsPng(path);
    }
}
