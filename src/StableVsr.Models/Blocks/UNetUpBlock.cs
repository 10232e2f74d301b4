using TorchSharp;

namespace StableVsr.Models.Blocks;

/// <summary>An up block of the UNet decoder (what <see cref="BlockFactory"/> builds from an <c>up_block_types</c> entry).</summary>
internal abstract class UNetUpBlock : torch.nn.Module<UpBlockInput, torch.Tensor>
{
    /// <summary>Creates the module.</summary>
    protected UNetUpBlock(string name)
        : base(name)
    {
    }

    /// <summary>How many skip connections the block consumes (one per resnet).</summary>
    public abstract int ResidualCount { get; }
}
