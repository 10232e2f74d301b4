using StableVsr.Evaluation.Metrics;
using StableVsr.Tests.Models;
using StableVsr.Tests.Support;
using TorchSharp;

namespace StableVsr.Tests.Evaluation;

/// <summary>
/// Every per-frame value and extra case of <c>cases/metrics.safetensors</c> against the metrics, with the fixture
/// README's tolerances: PSNR 5e-5 dB, SSIM 5e-5, LPIPS 1e-6, DISTS 2e-6, tLPIPS 1e-6, tOF 1e-5 px, flows 1e-3 px.
/// </summary>
[Category("Parity")]
public class MetricParityTests
{
    private ReferenceCase reference = null!;

    [OneTimeSetUp]
    public void OpenCase() => reference = MetricsCase.Open();

    [OneTimeTearDown]
    public void CloseCase() => reference.Dispose();

    [TestCaseSource(nameof(SequenceNames))]
    public void PsnrOfEveryFrame(string sequence)
    {
        using var scope = torch.NewDisposeScope();
        var (gt, rec) = Pair(sequence);
        TensorAssert.Close(Psnr.Compute(gt, rec), reference.Tensor($"seq{sequence}_psnr"), 5e-5, $"PSNR seq {sequence}");
    }

    [TestCaseSource(nameof(SequenceNames))]
    public void SsimOfEveryFrame(string sequence)
    {
        using var scope = torch.NewDisposeScope();
        var (gt, rec) = Pair(sequence);
        TensorAssert.Close(Ssim.Compute(gt, rec), reference.Tensor($"seq{sequence}_ssim"), 5e-5, $"SSIM seq {sequence}");
    }

    [TestCaseSource(nameof(SequenceNames))]
    public void LpipsOfEveryFrame(string sequence)
    {
        using var scope = torch.NewDisposeScope();
        var (gt, rec) = Pair(sequence);
        TensorAssert.Close(MetricsCase.Lpips.call(gt, rec), reference.Tensor($"seq{sequence}_lpips"), 1e-6, $"LPIPS seq {sequence}");
    }

    [TestCaseSource(nameof(SequenceNames))]
    public void DistsOfEveryFrame(string sequence)
    {
        using var scope = torch.NewDisposeScope();
        var (gt, rec) = Pair(sequence);
        TensorAssert.Close(MetricsCase.Dists.call(gt, rec), reference.Tensor($"seq{sequence}_dists"), 2e-6, $"DISTS seq {sequence}");
    }

    [TestCaseSource(nameof(SequenceNames))]
    public void TemporalLpipsOfEveryPair(string sequence)
    {
        using var scope = torch.NewDisposeScope();
        var (gt, rec) = Pair(sequence);
        var count = gt.shape[0];
        var gtPairs = MetricsCase.Lpips.call(gt.narrow(0, 1, count - 1), gt.narrow(0, 0, count - 1));
        var recPairs = MetricsCase.Lpips.call(rec.narrow(0, 1, count - 1), rec.narrow(0, 0, count - 1));

        TensorAssert.Close(gtPairs, reference.Tensor($"seq{sequence}_lpips_gt_pairs"), 1e-6, $"LPIPS(gt_k, gt_k-1) seq {sequence}");
        TensorAssert.Close(recPairs, reference.Tensor($"seq{sequence}_lpips_rec_pairs"), 1e-6, $"LPIPS(rec_k, rec_k-1) seq {sequence}");
        TensorAssert.Close((gtPairs - recPairs).abs(), reference.Tensor($"seq{sequence}_tlpips"), 1e-6, $"tLPIPS seq {sequence}");
    }

    [TestCaseSource(nameof(SequenceNames))]
    public void TemporalOpticalFlowOfEveryPair(string sequence)
    {
        var raft = MetricsCase.Raft;
        using var scope = torch.NewDisposeScope();
        var (gt, rec) = Pair(sequence);
        var count = gt.shape[0];
        var flows = TemporalOpticalFlow.Flows(raft, gt.narrow(0, 1, count - 1), gt.narrow(0, 0, count - 1), rec.narrow(0, 1, count - 1), rec.narrow(0, 0, count - 1));

        TensorAssert.Close(flows.GroundTruth.permute(0, 2, 3, 1), reference.Tensor($"seq{sequence}_flow_gt"), 1e-3, $"flow gt seq {sequence}");
        TensorAssert.Close(flows.Output.permute(0, 2, 3, 1), reference.Tensor($"seq{sequence}_flow_rec"), 1e-3, $"flow rec seq {sequence}");
        TensorAssert.Close(TemporalOpticalFlow.Difference(flows), reference.Tensor($"seq{sequence}_tof"), 1e-5, $"tOF seq {sequence}");
    }

    [Test]
    public void NonSquareImagesAndTheirTransposes()
    {
        using var scope = torch.NewDisposeScope();
        var a = MetricsCase.Frames(reference, "ssim_nonsquare_a_u8").unsqueeze(0);
        var b = MetricsCase.Frames(reference, "ssim_nonsquare_b_u8").unsqueeze(0);

        TensorAssert.Close(Ssim.Compute(a, b), reference.Tensor("ssim_nonsquare"), 5e-5, "SSIM 96x128");
        TensorAssert.Close(Ssim.Compute(a.transpose(2, 3), b.transpose(2, 3)), reference.Tensor("ssim_nonsquare_transposed"), 5e-5, "SSIM 128x96");
        TensorAssert.Close(Psnr.Compute(a, b), reference.Tensor("psnr_nonsquare"), 5e-5, "PSNR 96x128");
    }

    [Test]
    public void IdenticalImages()
    {
        using var scope = torch.NewDisposeScope();
        var gt = MetricsCase.Frames(reference, $"seq{MetricsCase.Sequences[0]}_gt_u8").narrow(0, 0, 1);
        var psnr = Psnr.Compute(gt, gt).item<float>();
        var dists = MetricsCase.Dists.call(gt, gt);

        Assert.That(reference.Tensor("psnr_identical").item<float>(), Is.EqualTo(float.PositiveInfinity));
        Assert.That(psnr, Is.EqualTo(float.PositiveInfinity), "PSNR of identical images is +inf, as torchmetrics gives");
        TensorAssert.Close(Ssim.Compute(gt, gt), reference.Tensor("ssim_identical"), 5e-5, "SSIM identical");
        TensorAssert.Close(MetricsCase.Lpips.call(gt, gt), reference.Tensor("lpips_identical"), 1e-6, "LPIPS identical");
        TensorAssert.Close(dists, reference.Tensor("dists_identical"), 2e-6, "DISTS identical");
        TestContext.Out.WriteLine($"DISTS of identical images: {dists.item<float>():E3} (reference {reference.Tensor("dists_identical").item<float>():E3})");
    }

    [Test]
    public void LpipsLayerTermsOfTheFirstFrame()
    {
        using var scope = torch.NewDisposeScope();
        var (gt, rec) = Pair(MetricsCase.Sequences[0]);
        var terms = MetricsCase.Lpips.LayerTerms(gt.narrow(0, 0, 1), rec.narrow(0, 0, 1));

        TensorAssert.Close(torch.cat(terms), reference.Tensor("lpips_layers_f0"), 1e-6, "LPIPS per-layer terms");
    }

    [Test]
    public void DistsFeatureMeansOfTheFirstFrame()
    {
        using var scope = torch.NewDisposeScope();
        var (gt, _) = Pair(MetricsCase.Sequences[0]);
        var features = MetricsCase.Dists.Features(gt.narrow(0, 0, 1));

        Assert.That(features, Has.Length.EqualTo(6));
        for (var stage = 0; stage < 6; stage++)
        {
            TensorAssert.Close(features[stage].mean([0, 2, 3]), reference.Tensor($"dists_feature_means_gt_f0_stage{stage}"), 2e-6, $"DISTS stage {stage} channel means");
        }
    }

    [Test]
    public void GaussianWindowIsTorchmetrics()
    {
        using var window = Ssim.GaussianWindow();
        using var expected = reference.Tensor("gaussian_kernel_1d");

        TensorAssert.Close(window, expected, 0, "SSIM window");
    }

    private static IEnumerable<string> SequenceNames() => MetricsCase.Sequences;

    private (torch.Tensor Gt, torch.Tensor Rec) Pair(string sequence) =>
        (MetricsCase.Frames(reference, $"seq{sequence}_gt_u8"), MetricsCase.Frames(reference, $"seq{sequence}_rec_u8"));
}
