using StableVsr.Evaluation.Metrics.ClipIqa;
using StableVsr.Tests.Support;
using TorchSharp;

namespace StableVsr.Tests.Evaluation.NoReference;

/// <summary>CLIP-IQA against pyiqa 0.1.7 (random weights in OpenAI's TorchScript layout) on every input of <c>cases/iqa.safetensors</c>.</summary>
[Category("Parity")]
[Parallelizable(ParallelScope.Self)]
public class ClipIqaParityTests
{
    private const double ScoreTolerance = 5e-6;
    private static readonly Lazy<ClipIqaModel> Shared = new(() => ClipIqaModel.Load(IqaCase.ClipWeights));

    public static IEnumerable<string> Inputs => IqaCase.Inputs();

    [Test]
    public void PromptsTokenizeAsClipTokenize()
    {
        using var reference = IqaCase.Open();
        using var expected = reference.Tensor("clipiqa_prompt_tokens");
        var ids = ClipPrompts.Tokenize(ClipPrompts.Pairs, (int)expected.shape[1]);
        using var actual = torch.tensor(ids.SelectMany(i => i).ToArray(), [ids.Length, ids[0].Length], torch.int32);
        Assert.That(actual.eq(expected).all().item<bool>(), Is.True, "clip.tokenize ids (SOT 49406, EOT 49407, zero padding)");
    }

    [Test]
    public void TextFeaturesMatch()
    {
        using var reference = IqaCase.Open();
        using var expected = reference.Tensor("clipiqa_text_features");
        TensorAssert.Close(Shared.Value.PromptFeatures, expected, 1e-5, "text features");
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
        TensorAssert.Close(model.ImageFeatures(input)[0], reference.Tensor($"clipiqa_{name}_attnpool_in"), 1e-4, $"{name}: layer4");
        var embedding = model.EncodeImage(input);
        TensorAssert.Close(embedding[0], reference.Tensor($"clipiqa_{name}_image_features"), 1e-4, $"{name}: image features");
        var logits = model.Logits(embedding);
        TensorAssert.Close(logits[0], reference.Tensor($"clipiqa_{name}_logits"), 1e-4, $"{name}: logits");
        TensorAssert.Close(ClipIqaModel.PairProbabilities(logits)[0], reference.Tensor($"clipiqa_{name}_probs"), ScoreTolerance, $"{name}: pair probabilities");
        TensorAssert.Close(model.call(input), reference.Tensor($"clipiqa_{name}_score"), ScoreTolerance, $"{name}: score");
    }
}
