using StableVsr.Evaluation.Metrics.Niqe;
using StableVsr.Tensors;
using StableVsr.Tests.Support;
using TorchSharp;

namespace StableVsr.Tests.Evaluation.NoReference;

/// <summary>NIQE against pyiqa 0.1.7 on every input of <c>cases/iqa.safetensors</c>, step by step.</summary>
[Category("Parity")]
[Parallelizable(ParallelScope.Self)]
public class NiqeParityTests
{
    private const double ScoreTolerance = 1e-6;
    private static readonly Lazy<NiqeScore> Shared = new(() => new NiqeScore(NiqeModel.FromFile(IqaCase.NiqeModelFile)));

    public static IEnumerable<string> Inputs => IqaCase.Inputs();

    [Test]
    public void TablesAreTheReferencesBitForBit()
    {
        using var reference = IqaCase.Open();
        using var window = torch.tensor(NiqeScore.Window(), torch.float64).view(7, 7);
        using var expectedWindow = reference.Tensor("niqe_window");
        TensorAssert.Close(window, expectedWindow, 0, "Gaussian window");

        using var shapes = GammaTable.ShapeTensor(torch.CPU);
        using var expectedShapes = reference.Tensor("niqe_gam");
        TensorAssert.Close(shapes, expectedShapes, 0, "AGGD shape table");
        using var ratios = GammaTable.Ratios(shapes);
        using var expectedRatios = reference.Tensor("niqe_r_gam");
        TensorAssert.Close(ratios, expectedRatios, 1e-15, "AGGD ratio table");
    }

    [Test]
    public void EmbeddedModelIsTheReleaseFile()
    {
        using var reference = IqaCase.Open();
        var embedded = NiqeModel.Embedded();
        var file = NiqeModel.FromFile(IqaCase.NiqeModelFile);
        using var mean = torch.tensor(embedded.Mean);
        using var covariance = torch.tensor(embedded.Covariance).view(36, 36);
        using var expectedMean = reference.Tensor("niqe_mu_pris");
        using var expectedCovariance = reference.Tensor("niqe_cov_pris");
        TensorAssert.Close(mean, expectedMean, 0, "mu_prisparam");
        TensorAssert.Close(covariance, expectedCovariance, 0, "cov_prisparam");
        Assert.That(file.Mean, Is.EqualTo(embedded.Mean));
        Assert.That(file.Covariance, Is.EqualTo(embedded.Covariance));
    }

    [TestCaseSource(nameof(Inputs))]
    public void EveryStepMatches(string name)
    {
        using var reference = IqaCase.Open();
        using var input = IqaCase.Input(reference, name);
        var gray = NiqeScore.Gray(input);
        using (var expectedGray = reference.Tensor($"niqe_{name}_gray"))
        {
            TensorAssert.Close(gray, expectedGray, 0, $"{name}: gray");
        }

        var described = IqaCase.Metadata(reference, "inputs").GetProperty(name);
        if (described.TryGetProperty("niqe_error", out _))
        {
            Assert.That(NiqeScore.Fits(input.shape[2], input.shape[3]), Is.False, "the reference fails on it");
            var error = Assert.Throws<InvalidInputException>(() => Shared.Value.Analyse(gray));
            Assert.That(error!.Message, Does.Contain("96x96"));
            return;
        }

        using var analysis = Shared.Value.Analyse(gray);
        Compare(reference, $"niqe_{name}_structdis_s1", analysis.Normalized[0], 1e-9);
        Compare(reference, $"niqe_{name}_structdis_s2", analysis.Normalized[1], 1e-9);
        Compare(reference, $"niqe_{name}_gray_half", analysis.Half, 1e-9);
        Compare(reference, $"niqe_{name}_feat", analysis.Features, 1e-9);
        Compare(reference, $"niqe_{name}_mu_dist", analysis.Mean, 1e-9);
        Compare(reference, $"niqe_{name}_cov_dist", analysis.Covariance, 1e-9);
        Compare(reference, $"niqe_{name}_pinv", analysis.Inverse, 1e-6);
        using var expected = reference.Tensor($"niqe_{name}_score");
        var diff = Math.Abs(analysis.Score - expected.item<double>());
        TestContext.Out.WriteLine($"{name}: NIQE {analysis.Score:R}, |diff| {diff:E2}");
        Assert.That(diff, Is.LessThanOrEqualTo(ScoreTolerance));
    }

    [Test]
    public void LumaTiesRoundAsTheReferenceCpu()
    {
        using var reference = IqaCase.Open();
        using var bytes = reference.Tensor("ties_u8");
        using var floats = bytes.to(torch.float32);
        using var input = floats.DividedBy(255.0);
        var gray = NiqeScore.Gray(input);
        using (var expectedGray = reference.Tensor("ties_gray"))
        {
            TensorAssert.Close(gray, expectedGray, 0, "gray at Y ties");
        }

        using var analysis = Shared.Value.Analyse(gray);
        using var expected = reference.Tensor("ties_niqe_score");
        Assert.That(Math.Abs(analysis.Score - expected.item<double>()), Is.LessThanOrEqualTo(ScoreTolerance));
    }

    // Flat blocks give NaN features in the reference: the same entries must be NaN here, the rest close.
    private static void Compare(Models.ReferenceCase reference, string key, torch.Tensor actual, double tolerance)
    {
        using var expected = reference.Tensor(key);
        using var actualNan = actual.isnan();
        using var expectedNan = expected.isnan();
        Assert.That(actualNan.eq(expectedNan).all().item<bool>(), Is.True, $"{key}: NaN entries");
        using var actualFinite = actual.nan_to_num(0.0);
        using var expectedFinite = expected.nan_to_num(0.0);
        TensorAssert.Close(actualFinite, expectedFinite, tolerance, key);
    }
}
