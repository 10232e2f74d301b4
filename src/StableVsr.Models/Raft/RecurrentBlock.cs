using TorchSharp;
using static TorchSharp.torch;

namespace StableVsr.Models.Raft;

/// <summary>
/// RAFT-large's recurrent block: a horizontal (1x5) then a vertical (5x1) convolutional GRU, both fed the same
/// input. Returns the updated hidden state [B, hidden, h, w].
/// </summary>
internal sealed class RecurrentBlock : nn.Module<RecurrentInput, Tensor>
{
    private readonly ConvGru convgru1;
    private readonly ConvGru convgru2;

    /// <summary>Creates the block.</summary>
    public RecurrentBlock(long inputSize, long hiddenSize)
        : base(nameof(RecurrentBlock))
    {
        convgru1 = new ConvGru(inputSize, hiddenSize, (1, 5), (0, 2));
        convgru2 = new ConvGru(inputSize, hiddenSize, (5, 1), (2, 0));
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(RecurrentInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = NewDisposeScope();
        var h = convgru1.call(input);
        h = convgru2.call(input with { Hidden = h });
        return h.MoveToOuterDisposeScope();
    }
}
