using StableVsr.Models.Vae;
using StableVsr.Tests.Support;
using StableVsr.Weights.Safetensors;
using TorchSharp;

namespace StableVsr.Tests.Models.Vae;

public class AutoencoderKLBehaviourTests
{
    private AutoencoderKL vae = null!;

    [OneTimeSetUp]
    public void LoadModel() => vae = AutoencoderKL.FromPretrained(Fixtures.Path("tiny-stablevsr", "vae"));

    [OneTimeTearDown]
    public void DisposeModel() => vae.Dispose();

    [Test]
    public void ReadsScalingFactorAndScaleFromTheConfig()
    {
        Assert.Multiple(() =>
        {
            Assert.That(vae.ScalingFactor, Is.EqualTo(0.08333));
            Assert.That(vae.SpatialScaleFactor, Is.EqualTo(4));
            Assert.That(vae.Config.ForceUpcast, Is.True);
        });
    }

    [Test]
    public void RefusesImagesWithTheWrongChannelCount()
    {
        using var scope = torch.NewDisposeScope();
        var error = Assert.Throws<InvalidInputException>(() => vae.Encode(torch.zeros(1, 4, 64, 96)));
        Assert.That(error!.Message, Does.Contain("3 channels"));
    }

    [Test]
    public void RefusesLatentsWithTheWrongChannelCount()
    {
        using var scope = torch.NewDisposeScope();
        var error = Assert.Throws<InvalidInputException>(() => vae.Decode(torch.zeros(1, 3, 16, 24)));
        Assert.That(error!.Message, Does.Contain("'latents' must have 4 channels"));
    }

    [Test]
    public void DecodesToFourTimesTheLatentSize()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        Assert.That(vae.Decode(torch.randn(1, 4, 5, 7)).shape, Is.EqualTo(new long[] { 1, 3, 20, 28 }));
    }

    [Test]
    public void SamplesMeanPlusStdTimesTheGeneratorsNoise()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        using var posterior = vae.Encode(torch.rand(1, 3, 32, 32) * 2 - 1);
        using var first = new torch.Generator(42);
        using var second = new torch.Generator(42);
        using var third = new torch.Generator(42);
        var a = posterior.Sample(first);
        var b = posterior.Sample(second);
        var expected = posterior.Mean + (torch.exp(0.5 * posterior.LogVar) * torch.randn(posterior.Mean.shape, generator: third));
        Assert.Multiple(() =>
        {
            Assert.That(ReferenceCase.MaxAbsDiff(a, b), Is.Zero, "same seed, same sample");
            Assert.That(ReferenceCase.MaxAbsDiff(a, expected), Is.LessThanOrEqualTo(1e-6), "mean + std * noise");
            Assert.That(ReferenceCase.MaxAbsDiff(posterior.Mode(), posterior.Mean), Is.Zero, "mode is the mean");
        });
    }

    [Test]
    public void LoadsLegacyAttentionNamesToTheSameNetwork()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        using var folder = new LegacyVaeFolder();
        using var legacy = AutoencoderKL.FromPretrained(folder.Path);
        var latent = torch.randn(1, 4, 8, 8);
        Assert.That(folder.LegacyKeyCount, Is.EqualTo(16), "the fixture was rewritten with query/key/value/proj_attn names");
        Assert.That(ReferenceCase.MaxAbsDiff(legacy.Decode(latent), vae.Decode(latent)), Is.Zero);
    }

    [Test]
    public void ReconstructsThroughTheMode()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var image = torch.rand(1, 3, 32, 32) * 2 - 1;
        using var posterior = vae.Encode(image);
        Assert.That(ReferenceCase.MaxAbsDiff(vae.forward(image), vae.Decode(posterior.Mean)), Is.Zero);
    }

    /// <summary>A copy of the tiny VAE whose attention weights carry the pre-0.14 diffusers names.</summary>
    private sealed class LegacyVaeFolder : IDisposable
    {
        public LegacyVaeFolder()
        {
            Path = Directory.CreateTempSubdirectory("stablevsr-legacy-vae-").FullName;
            var source = Fixtures.Path("tiny-stablevsr", "vae");
            File.Copy(System.IO.Path.Combine(source, "config.json"), System.IO.Path.Combine(Path, "config.json"));
            using var weights = SafetensorsFile.Open(System.IO.Path.Combine(source, "diffusion_pytorch_model.safetensors"));
            var tensors = new Dictionary<string, torch.Tensor>(StringComparer.Ordinal);
            foreach (var key in weights.Keys)
            {
                var legacy = key.Replace(".to_q.", ".query.", StringComparison.Ordinal)
                    .Replace(".to_k.", ".key.", StringComparison.Ordinal)
                    .Replace(".to_v.", ".value.", StringComparison.Ordinal)
                    .Replace(".to_out.0.", ".proj_attn.", StringComparison.Ordinal);
                LegacyKeyCount += legacy == key ? 0 : 1;
                tensors[legacy] = weights.Load(key);
            }

            SafetensorsWriter.Write(System.IO.Path.Combine(Path, "diffusion_pytorch_model.safetensors"), tensors);
            foreach (var tensor in tensors.Values)
            {
                tensor.Dispose();
            }
        }

        public string Path { get; }

        public int LegacyKeyCount { get; }

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
