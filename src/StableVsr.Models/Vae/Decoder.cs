using StableVsr.Models.Blocks;
using StableVsr.Weights.Configs;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableVsr.Models.Vae;

/// <summary>
/// diffusers' VAE <c>Decoder</c>: <c>conv_in</c>, the mid block with attention, the up blocks (doubling the size
/// between blocks), then norm, SiLU and <c>conv_out</c> to the image.
/// </summary>
internal sealed class Decoder : nn.Module<Tensor, Tensor>
{
    private const double Eps = 1e-6;

    private readonly Conv2d conv_in;
    private readonly UNetMidBlock2D mid_block;
    private readonly ModuleList<UpDecoderBlock2D> up_blocks;
    private readonly GroupNorm conv_norm_out;
    private readonly Conv2d conv_out;

    /// <summary>Builds the decoder of <paramref name="config"/>.</summary>
    public Decoder(AutoencoderKLConfig config)
        : base(nameof(Decoder))
    {
        var channels = config.BlockOutChannels;
        var resnet = new ResnetSettings(null, config.NormNumGroups, Eps, Activations.Get(config.ActFn, "act_fn", config.Source));
        conv_in = nn.Conv2d(config.LatentChannels, channels[^1], 3, padding: 1);
        mid_block = new UNetMidBlock2D(channels[^1], resnet, headDim: channels[^1]);
        up_blocks = new ModuleList<UpDecoderBlock2D>();
        var outputChannel = channels[^1];
        for (var i = 0; i < channels.Count; i++)
        {
            var prevOutputChannel = outputChannel;
            outputChannel = channels[channels.Count - 1 - i];
            up_blocks.Add(BlockFactory.CreateDecoderBlock(
                config.UpBlockTypes[i], config.LayersPerBlock + 1, prevOutputChannel, outputChannel, i < channels.Count - 1, resnet, config.Source));
        }

        conv_norm_out = nn.GroupNorm(config.NormNumGroups, channels[0], Eps);
        conv_out = nn.Conv2d(channels[0], config.OutChannels, 3, padding: 1);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor z)
    {
        using var scope = NewDisposeScope();
        var sample = mid_block.forward(conv_in.forward(z));
        foreach (var block in up_blocks)
        {
            sample = block.forward(sample);
        }

        sample = conv_out.forward(nn.functional.silu(conv_norm_out.forward(sample)));
        return sample.MoveToOuterDisposeScope();
    }
}
