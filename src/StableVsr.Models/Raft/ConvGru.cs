using StableVsr.Tensors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableVsr.Models.Raft;

/// <summary>A convolutional GRU cell with update (z), reset (r) and candidate (q) convolutions. Returns the new hidden state.</summary>
internal sealed class ConvGru : nn.Module<RecurrentInput, Tensor>
{
    private readonly Conv2d convz;
    private readonly Conv2d convr;
    private readonly Conv2d convq;

    /// <summary>Creates the cell with a (kh, kw) kernel and matching padding.</summary>
    public ConvGru(long inputSize, long hiddenSize, (long, long) kernelSize, (long, long) padding)
        : base(nameof(ConvGru))
    {
        convz = nn.Conv2d(hiddenSize + inputSize, hiddenSize, kernelSize, padding: padding);
        convr = nn.Conv2d(hiddenSize + inputSize, hiddenSize, kernelSize, padding: padding);
        convq = nn.Conv2d(hiddenSize + inputSize, hiddenSize, kernelSize, padding: padding);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(RecurrentInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = NewDisposeScope();
        var h = input.Hidden;
        var hx = cat([h, input.Input], 1);
        var z = sigmoid(convz.call(hx));
        var r = sigmoid(convr.call(hx));
        var q = tanh(convq.call(cat([r * h, input.Input], 1)));
        var result = (z.SubtractedFrom(1) * h).Plus(z * q);
        return result.MoveToOuterDisposeScope();
    }
}
