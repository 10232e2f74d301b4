using StableVsr.Models.Vae;
using StableVsr.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace StableVsr.Tests.Models.Vae;

/// <summary>
/// The tiled decode: exact when one tile covers the latents, the right size for any latent size, close to the whole
/// decode otherwise (approximate by design: the decoder's group norms and attention see one tile), and refusing bad
/// tile sizes.
/// </summary>
[Parallelizable(ParallelScope.Self)]
public class AutoencoderKLTiledDecodeTests
{
    /// <summary>Mean |tiled - whole| as a share of the output range that the tiny random VAE stays under with 8-pixel tiles.</summary>
    private const double TiledMeanFraction = 0.05;

    private AutoencoderKL vae = null!;

    [OneTimeSetUp]
    public void Load() => vae = AutoencoderKL.FromPretrained(Fixtures.Path("tiny-stablevsr", "vae"));

    [OneTimeTearDown]
    public void Unload() => vae.Dispose();

    [Test]
    public void OneTileIsExactlyTheWholeDecode()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var reference = ReferenceCase.Open("vae");
        var latent = reference.Tensor("latent");
        var whole = vae.Decode(latent);
        var tiled = vae.DecodeTiled(latent, 24);
        Assert.That(tiled.eq(whole).all().item<bool>(), Is.True);
    }

    [TestCase(16, 24, 8)]
    [TestCase(20, 28, 8)]
    [TestCase(13, 9, 8)]
    [TestCase(33, 17, 12)]
    public void TilesCoverTheFrameExactly(int height, int width, int tile)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var latent = randn(1, 4, height, width, generator: new Generator(3));
        var decoded = vae.DecodeTiled(latent, tile);
        Assert.That(decoded.shape, Is.EqualTo(new long[] { 1, 3, height * 4, width * 4 }));
        Assert.That(decoded.isfinite().all().item<bool>(), Is.True);
    }

    [TestCase(16, 24, 8)]
    [TestCase(33, 17, 12)]
    [TestCase(9, 40, 16)]
    public void TilesBlendBackToTheWholeImageWhenTheDecoderIsLocal(int height, int width, int tile)
    {
        // A decoder that maps each latent pixel to its own 4x4 block makes every overlap agree, so the stitched image
        // must be the whole decode itself: any misplaced tile, crop or blend weight shows.
        using var scope = NewDisposeScope();
        var latent = randn(2, 3, height, width, generator: new Generator(8));
        Tensor Local(Tensor x) => nn.functional.interpolate(x, scale_factor: [4.0, 4.0], mode: InterpolationMode.Nearest);
        var tiled = TiledDecoding.Decode(latent, tile, 4, Local);
        TensorAssert.Close(tiled, Local(latent), 1e-6, $"tiled local decode {height}x{width}, tile {tile}");
    }

    [Test]
    public void TiledDecodeIsCloseToTheWholeDecodeAndCloserWithLargerTiles()
    {
        // Random weights and a random latent are a hard case for tiling (real latents are smooth and real decoders'
        // statistics vary little between tiles); the error still has to fall as tiles grow.
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var latent = nn.functional.interpolate(ReferenceCase.Open("vae").Tensor("latent"), scale_factor: [2.0, 2.0], mode: InterpolationMode.Bilinear);
        var whole = vae.Decode(latent);
        var range = whole.max().item<float>() - whole.min().item<float>();
        var errors = new List<double>();
        foreach (var tile in new[] { 8, 16, 24 })
        {
            var diff = vae.DecodeTiled(latent, tile).sub(whole).abs();
            var (max, mean) = (diff.max().item<float>(), diff.mean().item<float>());
            TestContext.Out.WriteLine($"tiles of {tile} vs whole decode of [{string.Join(", ", latent.shape)}]: max |diff| = {max:E3}, mean |diff| = {mean:E3} ({mean / range:P1} of the output range {range:F3})");
            errors.Add(mean / range);
        }

        Assert.That(errors[0], Is.LessThanOrEqualTo(TiledMeanFraction));
        Assert.That(errors, Is.Ordered.Descending);
    }

    [TestCase(4)]
    [TestCase(10)]
    [TestCase(0)]
    public void BadTileSizesAreRefused(int tile)
    {
        using var latent = zeros(1, 4, 16, 16);
        var ex = Assert.Throws<InvalidInputException>(() => vae.DecodeTiled(latent, tile));
        Assert.That(ex!.Message, Does.Contain("multiple of 4"));
    }
}
