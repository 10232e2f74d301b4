using StableVsr.Models.Blocks;
using StableVsr.Weights.Configs;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableVsr.Models.Vae;

/// <summary>
/// diffusers' VAE <c>Encoder</c>: <c>conv_in</c>, the down blocks (halving the size between blocks), the mid block
/// with attention, then norm, SiLU and <c>conv_out</c> to the moments (2 x latent channels).
/// </summary>
internal sealed class Encoder : nn.Module<Tensor, Tensor>
{
    private const double Eps = 1e-6;

    private readonly Conv2d conv_in;
    private readonly ModuleList<DownEncoderBlock2D> down_blocks;
    private readonly UNetMidBlock2D mid_block;
    private readonly GroupNorm conv_norm_out;
    private readonly Conv2d conv_out;

    /// <summary>Builds the encoder of <paramref name="config"/>.</summary>
    public Encoder(AutoencoderKLConfig config)
        : base(nameof(Encoder))
    {
        var channels = config.BlockOutChannels;
        var resnet = new ResnetSettings(null, config.NormNumGroups, Eps, Activations.Get(config.ActFn, "act_fn", config.Source));
        conv_in = nn.Conv2d(config.InChannels, channels[0], 3, padding: 1);
        down_blocks = new ModuleList<DownEncoderBlock2D>();
        var outputChannel = channels[0];
        for (var i = 0; i < channels.Count; i++)
        {
            var inputChannel = outputChannel;
            outputChannel = channels[i];

            // The VAE pads right/bottom and convolves without padding, unlike the UNet (downsample_padding 0).
            down_blocks.Add(BlockFactory.CreateEncoderBlock(
                config.DownBlockTypes[i], config.LayersPerBlock, inputChannel, outputChannel, i < channels.Count - 1, downsamplePadding: 0, resnet, config.Source));
        }

        mid_block = new UNetMidBlock2D(channels[^1], resnet, headDim: channels[^1]);
        conv_norm_out = nn.GroupNorm(config.NormNumGroups, channels[^1], Eps);
        conv_out = nn.Conv2d(channels[^1], 2 * config.LatentChannels, 3, padding: 1);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var sample = conv_in.forward(x);
        foreach (var block in down_blocks)
        {
            sample = block.forward(sample);
        }

        sample = mid_block.forward(sample);
        sample = conv_out.forward(nn.functional.silu(conv_norm_out.forward(sample)));
        return sample.MoveToOuterDisposeScope();
    }
}
