using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableVsr.Models.ControlNet;

/// <summary>
/// diffusers' <c>ControlNetConditioningEmbedding</c>: encodes the conditioning image down to the sample's size
/// (a 3x3 convolution per stage, a stride-2 convolution between stages, SiLU after each) and projects it to the
/// UNet's first block width with <c>conv_out</c>.
/// </summary>
internal sealed class ControlNetConditioningEmbedding : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv_in;
    private readonly ModuleList<Conv2d> blocks;
    private readonly Conv2d conv_out;

    /// <summary>Creates the embedding.</summary>
    /// <param name="embeddingChannels">Output width (the UNet's <c>block_out_channels[0]</c>).</param>
    /// <param name="conditioningChannels">Channels of the conditioning image.</param>
    /// <param name="blockOutChannels">Width of each stage.</param>
    public ControlNetConditioningEmbedding(int embeddingChannels, int conditioningChannels, IReadOnlyList<int> blockOutChannels)
        : base(nameof(ControlNetConditioningEmbedding))
    {
        ArgumentNullException.ThrowIfNull(blockOutChannels);
        conv_in = nn.Conv2d(conditioningChannels, blockOutChannels[0], 3, padding: 1);
        blocks = new ModuleList<Conv2d>();
        for (var i = 0; i < blockOutChannels.Count - 1; i++)
        {
            blocks.Add(nn.Conv2d(blockOutChannels[i], blockOutChannels[i], 3, padding: 1));
            blocks.Add(nn.Conv2d(blockOutChannels[i], blockOutChannels[i + 1], 3, stride: 2, padding: 1));
        }

        conv_out = nn.Conv2d(blockOutChannels[^1], embeddingChannels, 3, padding: 1);
        Downsamplings = blockOutChannels.Count - 1;
        RegisterComponents();
    }

    /// <summary>How many stride-2 convolutions the embedding applies.</summary>
    public int Downsamplings { get; }

    /// <summary>The (height, width) the embedding makes of a conditioning image of the given size.</summary>
    public (long Height, long Width) OutputSize(long height, long width)
    {
        for (var i = 0; i < Downsamplings; i++)
        {
            height = ((height - 1) / 2) + 1;
            width = ((width - 1) / 2) + 1;
        }

        return (height, width);
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor conditioning)
    {
        using var scope = NewDisposeScope();
        var embedding = nn.functional.silu(conv_in.forward(conditioning));
        foreach (var block in blocks)
        {
            embedding = nn.functional.silu(block.forward(embedding));
        }

        return conv_out.forward(embedding).MoveToOuterDisposeScope();
    }
}
