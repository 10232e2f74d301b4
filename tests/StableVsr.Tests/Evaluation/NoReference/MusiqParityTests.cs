using StableVsr.Evaluation.Metrics.Musiq;
using StableVsr.Tensors;
using StableVsr.Tests.Support;
using TorchSharp;

namespace StableVsr.Tests.Evaluation.NoReference;

/// <summary>MUSIQ against pyiqa 0.1.7 (random weights of its layout) on every input of <c>cases/iqa.safetensors</c>.</summary>
[Category("Parity")]
[Parallelizable(ParallelScope.Self)]
public class MusiqParityTests
{
    private const double ScoreTolerance = 1e-4;
    private static readonly Lazy<MusiqModel> Shared = new(() => MusiqModel.Load(IqaCase.MusiqWeights));

    public static IEnumerable<string> Inputs => IqaCase.Inputs();

    [Test]
    public void SizesComeFromTheCheckpoint()
    {
        using var reference = IqaCase.Open();
        var kwargs = IqaCase.Metadata(reference, "create_metric_kwargs").GetProperty("musiq");
        var config = Shared.Value.Config;
        Assert.That(config.Hidden, Is.EqualTo(kwargs.GetProperty("hidden_size").GetInt32()));
        Assert.That(config.MlpSize, Is.EqualTo(kwargs.GetProperty("mlp_dim").GetInt32()));
        Assert.That(config.Layers, Is.EqualTo(kwargs.GetProperty("num_layers").GetInt32()));
        Assert.That(config.Heads, Is.EqualTo(kwargs.GetProperty("num_heads").GetInt32()));
    }

    [TestCaseSource(nameof(Inputs))]
    public void EveryStepMatches(string name)
    {
        // Loaded outside this test's dispose scope: the model is shared by the cases.
        var model = Shared.Value;
        using var reference = IqaCase.Open();
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var input = IqaCase.Input(reference, name);
        var (patches, positions, scaleIds, mask) = MusiqPatches.Extract(input.Times(2).Minus(1), model.Config);
        Equal(reference, $"musiq_{name}_spatial_ids", positions);
        Equal(reference, $"musiq_{name}_scale_ids", scaleIds);
        Equal(reference, $"musiq_{name}_mask", mask.to(torch.uint8));
        if (HasKey(reference, $"musiq_{name}_patch_pixels"))
        {
            TensorAssert.Close(patches.flatten(1), reference.Tensor($"musiq_{name}_patch_pixels"), 1e-5, $"{name}: patches");
        }

        var stem = model.Stem(patches);
        TensorAssert.Close(stem[0], reference.Tensor($"musiq_{name}_block1_p0"), 1e-4, $"{name}: stem of patch 0");
        var tokens = model.Embed(stem);
        TensorAssert.Close(tokens[0], reference.Tensor($"musiq_{name}_tokens"), 1e-4, $"{name}: tokens");
        var cls = model.Encode(tokens, positions, scaleIds, mask)[0, 0];
        TensorAssert.Close(cls, reference.Tensor($"musiq_{name}_cls"), 1e-4, $"{name}: class token");
        var score = model.call(input);
        TensorAssert.Close(score, reference.Tensor($"musiq_{name}_score"), ScoreTolerance, $"{name}: score");
    }

    private static bool HasKey(Models.ReferenceCase reference, string key)
    {
        try
        {
            using var probe = reference.Tensor(key);
            return true;
        }
        catch (KeyNotFoundException)
        {
            return false;
        }
    }

    private static void Equal(Models.ReferenceCase reference, string key, torch.Tensor actual)
    {
        using var expected = reference.Tensor(key);
        using var converted = actual.to(expected.dtype);
        Assert.That(converted.shape, Is.EqualTo(expected.shape), key);
        Assert.That(converted.eq(expected).all().item<bool>(), Is.True, key);
    }
}
