using System.Text.Json;
using StableVsr.Cli.Commands;
using StableVsr.Evaluation;
using StableVsr.Evaluation.Weights;
using StableVsr.Tests.Support;
using StableVsr.Tests.Weights.Hub;
using StableVsr.Weights.Hub;
using TorchSharp;

namespace StableVsr.Tests.Evaluation.NoReference;

/// <summary>
/// eval.py's MUSIQ/CLIP/NIQE part on <c>cases/iqa_frames</c> (its printed line in <c>cases/iqa_summary.txt</c>), the
/// weights found where pyiqa and OpenAI's CLIP cache them or downloaded from a loopback server, and what happens when
/// they cannot be had.
/// </summary>
[Parallelizable(ParallelScope.Self)]
public class NoReferenceEvaluationTests
{
    private TempFolder folder = null!;

    private static string ExpectedLine => File.ReadAllText(Fixtures.Path("cases", "iqa_summary.txt")).Trim();

    private static string RecFrames => Path.Combine(IqaCase.FramesRoot, "rec");

    [SetUp]
    public void CreateFolder() => folder = new TempFolder();

    [TearDown]
    public void DeleteFolder() => folder.Dispose();

    [Test]
    [Category("Parity")]
    public async Task EvalWithoutGroundTruthPrintsTheSummaryOfEvalPy()
    {
        var csv = folder.File("frames.csv");
        var (code, stdout) = await EvalCommandTests.Run(["eval", "-o", RecFrames, "--musiq", IqaCase.MusiqWeights, "--clip", IqaCase.ClipWeights, "--niqe", IqaCase.NiqeModelFile, "--device", "cpu", "--csv", csv]);

        Assert.That(code, Is.EqualTo(ExitCodes.Ok));
        Assert.That(stdout.Trim(), Is.EqualTo(ExpectedLine));
        Assert.That(File.ReadAllLines(csv)[0], Is.EqualTo("sequence,frame,ground_truth,output,MUSIQ,CLIP,NIQE"));
    }

    [Test]
    [Category("Parity")]
    public async Task EveryFrameAndTheUnroundedMeansMatch()
    {
        using var reference = IqaCase.Open();
        var summary = IqaCase.Metadata(reference, "summary");
        var tolerances = IqaCase.Metadata(reference, "per_frame_tolerance_suggested");
        using var evaluator = await VideoEvaluator.LoadAsync(
            new EvaluationWeights(Musiq: IqaCase.MusiqWeights, Clip: IqaCase.ClipWeights),
            EvaluationOptions.Default with { Metrics = MetricInfo.NoReference, Device = ComputeDevice.Cpu },
            hubOptions: new HubOptions { TorchHome = folder.File("torch"), Offline = true });
        var result = await evaluator.EvaluateFoldersAsync(RecFrames, null);

        Assert.That(result.Sequences.Select(s => s.Name), Is.EqualTo(summary.GetProperty("sequences").EnumerateObject().Select(p => p.Name)));
        foreach (var metric in MetricInfo.NoReference)
        {
            var name = MetricInfo.Of(metric).Name;
            var key = metric == Metric.ClipIqa ? "clipiqa" : name.ToLowerInvariant();
            foreach (var sequence in result.Sequences)
            {
                var values = result.Frames.Where(f => f.Sequence == sequence.Name).Select(f => f.Get(metric)!.Value).ToArray();
                using var actual = torch.tensor(values);
                using var expected = reference.Tensor($"summary_seq{sequence.Name}_{key}");
                TensorAssert.Close(actual, expected, tolerances.GetProperty(name).GetDouble(), $"{name} seq {sequence.Name}");
            }

            var unrounded = summary.GetProperty("unrounded").GetProperty(name).GetDouble();
            Assert.That(Math.Abs(result.Overall[metric] - unrounded), Is.LessThanOrEqualTo(tolerances.GetProperty(name).GetDouble()), $"{name} mean of sequence means");
        }

        Assert.That(result.SummaryLine, Is.EqualTo(summary.GetProperty("line").GetString()));
    }

    [Test]
    public async Task WeightsAreFoundWherePyiqaAndClipCacheThem()
    {
        var caches = PlaceInCaches();
        using var evaluator = await Load(caches with { ClipSha256 = FixtureSha256("clipiqa_random.pth") });
        var result = await evaluator.EvaluateFoldersAsync(RecFrames, null);

        Assert.That(evaluator.LoadNotes, Is.Empty);
        Assert.That(result.SummaryLine, Is.EqualTo(ExpectedLine));
    }

    [Test]
    public async Task ACachedClipWithAnotherHashIsNotUsedOffline()
    {
        // The fixture's RN50.pt is not OpenAI's file: clip.load would fetch it again; offline it is left out.
        using var evaluator = await Load(PlaceInCaches());
        var result = await evaluator.EvaluateFoldersAsync(RecFrames, null);

        Assert.That(evaluator.Metrics, Is.EqualTo(new[] { Metric.Musiq, Metric.Niqe }));
        Assert.That(evaluator.LoadNotes, Has.Count.EqualTo(1));
        Assert.That(evaluator.LoadNotes[0], Does.StartWith("CLIP-IQA left out").And.Contain(NoReferenceWeights.ClipRn50Sha256).And.Contain("--clip"));
        Assert.That(result.SummaryLine, Does.StartWith("MUSIQ: ").And.Contain(", NIQE: ").And.Not.Contain("CLIP"));
        Assert.That(result.Notes, Does.Contain(evaluator.LoadNotes[0]));
    }

    [Test]
    public async Task MissingWeightsOfflineLeaveTheirMetricOutWithOneLineEach()
    {
        var caches = NoReferenceCaches.For(folder.File("torch"), offline: true, name => name == "HOME" ? folder.File("home") : null);
        using var evaluator = await Load(caches);

        Assert.That(evaluator.Metrics, Is.EqualTo(new[] { Metric.Niqe }), "NIQE's model ships with the library");
        Assert.That(evaluator.LoadNotes, Has.Count.EqualTo(2));
        Assert.That(evaluator.LoadNotes[0], Does.StartWith("MUSIQ left out").And.Contain(NoReferenceWeights.MusiqKoniqFileName).And.Contain(caches.TorchCheckpoints).And.Contain("--musiq"));
        Assert.That(evaluator.LoadNotes[1], Does.StartWith("CLIP-IQA left out").And.Contain(caches.ClipFolder).And.Contain("--clip"));
    }

    [Test]
    public async Task MissingWeightsAreDownloadedIntoTheCaches()
    {
        var musiq = await File.ReadAllBytesAsync(IqaCase.MusiqWeights);
        var clip = await File.ReadAllBytesAsync(IqaCase.ClipWeights);
        using var server = new LoopbackHttpServer(r => FileResponses.Serve(r, r.Path.EndsWith(".pt", StringComparison.Ordinal) ? clip : musiq));
        var caches = NoReferenceCaches.For(folder.File("torch"), offline: false, name => name == "HOME" ? folder.File("home") : null) with
        {
            MusiqUrl = new Uri(server.BaseUri, "weights/" + NoReferenceWeights.MusiqKoniqFileName),
            ClipUrl = new Uri(server.BaseUri, "clip/RN50.pt"),
            ClipSha256 = FixtureSha256("clipiqa_random.pth"),
        };

        using var evaluator = await Load(caches);

        Assert.That(evaluator.Metrics, Is.EqualTo(MetricInfo.NoReference));
        Assert.That(File.ReadAllBytes(Path.Combine(caches.TorchCheckpoints, NoReferenceWeights.MusiqKoniqFileName)), Is.EqualTo(musiq));
        Assert.That(File.ReadAllBytes(Path.Combine(caches.ClipFolder, NoReferenceWeights.ClipRn50FileName)), Is.EqualTo(clip));
        Assert.That((await evaluator.EvaluateFoldersAsync(RecFrames, null)).SummaryLine, Is.EqualTo(ExpectedLine));
    }

    [Test]
    public async Task ADownloadWithTheWrongHashIsNotStored()
    {
        var clip = await File.ReadAllBytesAsync(IqaCase.ClipWeights);
        clip[^1] ^= 0xFF;
        using var server = new LoopbackHttpServer(r => FileResponses.Serve(r, clip));
        var caches = NoReferenceCaches.For(folder.File("torch"), offline: false, name => name == "HOME" ? folder.File("home") : null) with
        {
            ClipUrl = new Uri(server.BaseUri, "clip/RN50.pt"),
            ClipSha256 = FixtureSha256("clipiqa_random.pth"),
        };

        using var evaluator = await Load(caches, [Metric.ClipIqa, Metric.Niqe]);

        Assert.That(evaluator.Metrics, Is.EqualTo(new[] { Metric.Niqe }));
        Assert.That(evaluator.LoadNotes.Single(), Does.StartWith("CLIP-IQA left out").And.Contain("sha256"));
        Assert.That(Directory.Exists(caches.ClipFolder) ? Directory.GetFiles(caches.ClipFolder) : [], Is.Empty, "nothing stored, no partial file left");
    }

    [Test]
    public async Task SmallFramesAreRefusedByNiqeAndTheRunGoesOn()
    {
        var sequence = Directory.CreateDirectory(folder.File("small", "seq")).FullName;
        using (var reference = IqaCase.Open())
        {
            // The input the file marks as smaller than a NIQE block.
            var small = IqaCase.Metadata(reference, "inputs").EnumerateObject().First(p => p.Value.TryGetProperty("niqe_error", out _)).Name;
            using var bytes = reference.Tensor($"input_{small}_u8");
            using var hwc = bytes.permute(1, 2, 0).contiguous();
            using var image = SixLabors.ImageSharp.Image.LoadPixelData<SixLabors.ImageSharp.PixelFormats.Rgb24>(hwc.data<byte>().ToArray(), (int)bytes.shape[2], (int)bytes.shape[1]);
            await SixLabors.ImageSharp.ImageExtensions.SaveAsPngAsync(image, Path.Combine(sequence, "00000000.png"));
        }

        using var evaluator = await VideoEvaluator.LoadAsync(
            new EvaluationWeights(Clip: IqaCase.ClipWeights),
            EvaluationOptions.Default with { Metrics = [Metric.ClipIqa, Metric.Niqe], Device = ComputeDevice.Cpu });
        var result = await evaluator.EvaluateFoldersAsync(folder.File("small"), null);

        Assert.That(result.Frames.Single().Get(Metric.ClipIqa), Is.Not.Null);
        Assert.That(result.Frames.Single().Get(Metric.Niqe), Is.Null);
        Assert.That(result.Notes, Has.Some.Contains("smaller than NIQE's 96x96 block"));
        Assert.That(result.SummaryLine, Does.EndWith("NIQE: nan"));
    }

    private static string FixtureSha256(string file)
    {
        using var reference = IqaCase.Open();
        return IqaCase.Metadata(reference, "weights").GetProperty(file).GetProperty("sha256").GetString()!;
    }

    private NoReferenceCaches PlaceInCaches()
    {
        var caches = NoReferenceCaches.For(folder.File("torch"), offline: true, name => name == "HOME" ? folder.File("home") : null);
        Directory.CreateDirectory(caches.TorchCheckpoints);
        Directory.CreateDirectory(caches.ClipFolder);
        File.Copy(IqaCase.MusiqWeights, Path.Combine(caches.TorchCheckpoints, NoReferenceWeights.MusiqKoniqFileName));
        File.Copy(IqaCase.ClipWeights, Path.Combine(caches.ClipFolder, NoReferenceWeights.ClipRn50FileName));
        return caches;
    }

    private Task<VideoEvaluator> Load(NoReferenceCaches caches, IReadOnlyList<Metric>? metrics = null) =>
        VideoEvaluator.LoadAsync(
            null,
            EvaluationOptions.Default with { Metrics = metrics ?? MetricInfo.NoReference, Device = ComputeDevice.Cpu },
            null,
            new HubOptions { TorchHome = folder.File("torch"), Offline = caches.Offline, MaxAttempts = 1 },
            caches,
            null,
            null,
            CancellationToken.None);
}
