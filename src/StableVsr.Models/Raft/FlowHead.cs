using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableVsr.Models.Raft;

/// <summary>RAFT's flow head: two 3x3 convolutions from the hidden state to the flow update [B, 2, h, w].</summary>
internal sealed class FlowHead : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly Conv2d conv2;
    private readonly ReLU relu;

    /// <summary>Creates the head.</summary>
    public FlowHead(long inChannels, long hiddenSize)
        : base(nameof(FlowHead))
    {
        conv1 = nn.Conv2d(inChannels, hiddenSize, 3, padding: 1);
        conv2 = nn.Conv2d(hiddenSize, 2, 3, padding: 1);
        relu = nn.ReLU();
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return conv2.call(relu.call(conv1.call(input))).MoveToOuterDisposeScope();
    }
}
