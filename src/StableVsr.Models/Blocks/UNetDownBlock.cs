using TorchSharp;

namespace StableVsr.Models.Blocks;

/// <summary>A down block of the UNet or ControlNet encoder (what <see cref="BlockFactory"/> builds from a <c>down_block_types</c> entry).</summary>
internal abstract class UNetDownBlock : torch.nn.Module<DownBlockInput, DownBlockOutput>
{
    /// <summary>Creates the module.</summary>
    protected UNetDownBlock(string name)
        : base(name)
    {
    }
}
