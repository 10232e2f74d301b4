using System.Text.Json;
using StableVsr.Models.Clip;
using StableVsr.Tests.Support;
using StableVsr.Tests.Weights;

namespace StableVsr.Tests.Models.Clip;

public class ClipTokenizerTests
{
    private static readonly Lazy<ClipTokenizer> Reference = new(() => ClipTokenizer.FromFolder(Fixtures.Path("tokenizer")));

    public static IEnumerable<TestCaseData> Cases()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Fixtures.Case("clip_tokenizer.json")));
        var index = 0;
        foreach (var item in doc.RootElement.EnumerateArray())
        {
            var text = item.GetProperty("text").GetString()!;
            var ids = item.GetProperty("input_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var tokens = item.GetProperty("tokens").EnumerateArray().Select(e => e.GetString()!).ToArray();
            var untruncated = item.GetProperty("num_tokens_untruncated").GetInt32();
            int[]? bangNotSpecial = item.TryGetProperty("input_ids_if_bang_not_special", out var alt)
                ? alt.EnumerateArray().Select(e => e.GetInt32()).ToArray()
                : null;
            yield return new TestCaseData(text, ids, tokens, untruncated, bangNotSpecial).SetName($"Prompt{index++:00}");
        }
    }

    [TestCaseSource(nameof(Cases))]
    [Category("Parity")]
    public void MatchesReferenceTokenizer(string text, int[] expectedIds, string[] expectedTokens, int untruncated, int[]? bangNotSpecial)
    {
        var tokenizer = Reference.Value;
        var tokens = tokenizer.Tokenize(text);
        var ids = tokenizer.Encode(text);

        Assert.That(tokens, Is.EqualTo(expectedTokens), $"tokens of {JsonSerializer.Serialize(text)}");
        Assert.That(tokens, Has.Count.EqualTo(untruncated));
        Assert.That(ids, Is.EqualTo(expectedIds), $"input_ids of {JsonSerializer.Serialize(text)}");
        if (bangNotSpecial is not null)
        {
            // The reference treats the pad token "!" as unsplittable; the alternative ids are what plain BPE would give.
            Assert.That(ids, Is.Not.EqualTo(bangNotSpecial));
        }
    }

    [Test]
    public void CoversEveryReferencePrompt()
    {
        Assert.That(Cases().Count(), Is.GreaterThanOrEqualTo(27));
    }

    [Test]
    public void ReadsSpecialTokensFromTheFolder()
    {
        var tokenizer = Reference.Value;
        Assert.Multiple(() =>
        {
            Assert.That(tokenizer.BosToken, Is.EqualTo("<|startoftext|>"));
            Assert.That(tokenizer.BosTokenId, Is.EqualTo(49406));
            Assert.That(tokenizer.EosTokenId, Is.EqualTo(49407));
            Assert.That(tokenizer.PadToken, Is.EqualTo("!"));
            Assert.That(tokenizer.PadTokenId, Is.EqualTo(0));
            Assert.That(tokenizer.ModelMaxLength, Is.EqualTo(77));
            Assert.That(tokenizer.VocabSize, Is.EqualTo(49408));
        });
    }

    [Test]
    public void EncodesABatchAsInt64Tensor()
    {
        var tokenizer = Reference.Value;
        using var ids = tokenizer.EncodeBatch(["a photo of a cat", ""]);
        Assert.That(ids.shape, Is.EqualTo(new long[] { 2, 77 }));
        Assert.That(ids.dtype, Is.EqualTo(TorchSharp.torch.int64));
        Assert.That(ids[0, 2].item<long>(), Is.EqualTo(tokenizer.Encode("a photo of a cat")[2]));
        Assert.That(ids[1, 1].item<long>(), Is.EqualTo(tokenizer.EosTokenId));
    }

    [Test]
    public void AppliesMergesByRankOnAHandMadeVocabulary()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("vocab.json"), """{"a": 0, "b": 1, "c": 2, "a</w>": 3, "b</w>": 4, "c</w>": 5, "ab": 6, "abc</w>": 7, "bc</w>": 8, "<|startoftext|>": 9, "<|endoftext|>": 10}""");
        File.WriteAllText(folder.File("merges.txt"), "#version: 0.2\na b\nab c</w>\nb c</w>\n");
        File.WriteAllText(folder.File("tokenizer_config.json"), """{"model_max_length": 6, "pad_token": "<pad>"}""");
        var tokenizer = ClipTokenizer.FromFolder(folder.Path);

        Assert.Multiple(() =>
        {
            // "a b" ranks first, so "abc" becomes ab + c</w> and then abc</w>, never a + bc</w>.
            Assert.That(tokenizer.Tokenize("ABC"), Is.EqualTo(new[] { "abc</w>" }));
            Assert.That(tokenizer.Tokenize("bc cab"), Is.EqualTo(new[] { "bc</w>", "c", "a", "b</w>" }));

            // The pad token is not in vocab.json, so it is appended after it.
            Assert.That(tokenizer.PadTokenId, Is.EqualTo(11));
            Assert.That(tokenizer.Encode("abc"), Is.EqualTo(new[] { 9, 7, 10, 11, 11, 11 }));

            // Truncated to model_max_length - 2 tokens; "x" is unknown and takes the unknown token's id.
            Assert.That(tokenizer.Encode("a b c x a"), Is.EqualTo(new[] { 9, 3, 4, 5, 10, 10 }));
        });
    }

    [Test]
    public void RefusesAFolderWithoutVocabulary()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("merges.txt"), "#version: 0.2\n");
        var e = Assert.Throws<ModelLoadException>(() => ClipTokenizer.FromFolder(folder.Path));
        Assert.That(e!.Message, Does.Contain("vocab.json"));
    }

    [Test]
    public void RefusesMalformedMerges()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("vocab.json"), """{"a": 0}""");
        File.WriteAllText(folder.File("merges.txt"), "#version: 0.2\na b c\n");
        var e = Assert.Throws<ModelLoadException>(() => ClipTokenizer.FromFolder(folder.Path));
        Assert.That(e!.Message, Does.Contain("line 2"));
    }

    [Test]
    public void RefusesAMissingFolder()
    {
        Assert.Throws<ModelLoadException>(() => ClipTokenizer.FromFolder(Path.Combine(Path.GetTempPath(), "no-such-tokenizer-" + Guid.NewGuid())));
    }
}
