using Microsoft.Extensions.Logging;
using StableVsr.Models.Blocks;
using StableVsr.Weights.Configs;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableVsr.Models.Vae;

/// <summary>
/// diffusers' <c>AutoencoderKL</c> (0.21 semantics): <see cref="Encode"/> maps images in [-1, 1] to the latent
/// distribution, <see cref="Decode"/> maps latents back to images. Latents fed to the UNet are
/// <c>z x ScalingFactor</c>; decode <c>z / ScalingFactor</c>. Parameter paths equal the current diffusers keys
/// (<c>to_q/to_k/to_v/to_out.0</c>; the weights layer maps the legacy <c>query/key/value/proj_attn</c> names).
/// The forward pass encodes, takes the mode and decodes.
/// </summary>
internal sealed class AutoencoderKL : nn.Module<Tensor, Tensor>
{
    private const string ModelName = "AutoencoderKL";
    private const int MinimumTileSize = 8;

    private readonly Encoder encoder;
    private readonly Decoder decoder;
    private readonly Conv2d quant_conv;
    private readonly Conv2d post_quant_conv;

    /// <summary>Builds the network described by <paramref name="config"/>, with freshly initialised weights.</summary>
    /// <exception cref="UnsupportedConfigException">The config names a block type or activation that is not implemented.</exception>
    /// <exception cref="ConfigException">The config is inconsistent.</exception>
    public AutoencoderKL(AutoencoderKLConfig config)
        : base(ModelName)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        encoder = new Encoder(config);
        decoder = new Decoder(config);
        quant_conv = nn.Conv2d(2 * config.LatentChannels, 2 * config.LatentChannels, 1);
        post_quant_conv = nn.Conv2d(config.LatentChannels, config.LatentChannels, 1);
        RegisterComponents();
    }

    /// <summary>The config the network was built from.</summary>
    public AutoencoderKLConfig Config { get; }

    /// <summary>The config's <c>scaling_factor</c>.</summary>
    public double ScalingFactor => Config.ScalingFactor;

    /// <summary>The factor between image and latent sizes (2 per downsampling step; 4 for the x4 upscaler's VAE).</summary>
    public int SpatialScaleFactor => 1 << Config.DownsamplingSteps;

    /// <summary>
    /// Builds the VAE from a diffusers model folder (<c>config.json</c> + <c>diffusion_pytorch_model.safetensors</c>),
    /// loads its weights (legacy <c>query/key/value/proj_attn</c> names included) and switches it to inference mode.
    /// </summary>
    /// <param name="folder">The model folder (e.g. a checkpoint's <c>vae/</c>).</param>
    /// <param name="device">Where the weights go (CPU when null).</param>
    /// <param name="dtype">The dtype of the weights (float32 when null; keep float32 when the config sets <c>force_upcast</c>).</param>
    /// <param name="logger">Receives the config keys nobody read and the load report.</param>
    /// <exception cref="ModelLoadException">The folder, config or weights cannot be used.</exception>
    public static AutoencoderKL FromPretrained(string folder, Device? device = null, ScalarType? dtype = null, ILogger? logger = null) =>
        PretrainedModels.Load(folder, path => new AutoencoderKL(AutoencoderKLConfig.Load(path, logger)), device, dtype, logger);

    /// <summary>Encodes images [B, in_channels, H, W] to the latent distribution (latents of size ceil-halved per step).</summary>
    /// <exception cref="InvalidInputException">The images have the wrong shape or dtype.</exception>
    public DiagonalGaussianDistribution Encode(Tensor images)
    {
        InputChecks.CheckImage(images, "sample", Config.InChannels, quant_conv.weight!.dtype, ModelName);
        using var scope = NewDisposeScope();
        var moments = quant_conv.forward(encoder.forward(images));
        var distribution = new DiagonalGaussianDistribution(moments);
        scope.MoveToOuter(distribution.Mean, distribution.LogVar);
        return distribution;
    }

    /// <summary>Decodes latents [B, latent_channels, h, w] to images [B, out_channels, h x f, w x f] (f = <see cref="SpatialScaleFactor"/>).</summary>
    /// <exception cref="InvalidInputException">The latents have the wrong shape or dtype.</exception>
    public Tensor Decode(Tensor latents)
    {
        InputChecks.CheckImage(latents, "latents", Config.LatentChannels, post_quant_conv.weight!.dtype, ModelName);
        using var scope = NewDisposeScope();
        return decoder.forward(post_quant_conv.forward(latents)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Decodes latents in overlapping tiles of <paramref name="tileSize"/> x <paramref name="tileSize"/> latent pixels,
    /// so the decoder's activations never exceed one tile's: for frames too large to decode whole. Tiles start every
    /// three quarters of a tile; each tile's first quarter (in output pixels) is blended linearly with the tile above and
    /// the tile to the left, as diffusers' tiled decode does. The result is approximate: the decoder's group norms and
    /// mid-block attention see one tile instead of the whole frame, so tiles differ slightly from a whole decode where
    /// the content varies. Latents no larger than one tile are decoded whole (exactly <see cref="Decode"/>).
    /// </summary>
    /// <param name="latents">Latents [B, latent_channels, h, w].</param>
    /// <param name="tileSize">Tile side in latent pixels: a multiple of 4, at least 8.</param>
    /// <exception cref="InvalidInputException">The latents have the wrong shape or dtype, or the tile size is invalid.</exception>
    public Tensor DecodeTiled(Tensor latents, int tileSize)
    {
        if (tileSize < MinimumTileSize || tileSize % 4 != 0)
        {
            throw new InvalidInputException($"{ModelName}: the decode tile size must be a multiple of 4 and at least {MinimumTileSize} latent pixels; got {tileSize}.");
        }

        InputChecks.CheckImage(latents, "latents", Config.LatentChannels, post_quant_conv.weight!.dtype, ModelName);
        var (height, width) = ((int)latents.shape[2], (int)latents.shape[3]);
        if (height <= tileSize && width <= tileSize)
        {
            return Decode(latents);
        }

        return TiledDecoding.Decode(latents, tileSize, SpatialScaleFactor, tile => decoder.forward(post_quant_conv.forward(tile)));
    }

    /// <summary>Reconstructs images: encode, take the distribution's mode, decode.</summary>
    public override Tensor forward(Tensor sample)
    {
        using var scope = NewDisposeScope();
        using var posterior = Encode(sample);
        return Decode(posterior.Mean).MoveToOuterDisposeScope();
    }
}
