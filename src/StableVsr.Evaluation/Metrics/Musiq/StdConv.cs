using StableVsr.Tensors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableVsr.Evaluation.Metrics.Musiq;

/// <summary>
/// A bias-free convolution with weight standardisation (Qiao et al., 2019), as MUSIQ's BiT-style ResNet stem uses it:
/// each output filter is centred and divided by its unbiased standard deviation plus 1e-5, and the input gets
/// TensorFlow 'SAME' padding. The parameter is <c>weight</c>, as in the checkpoint.
/// </summary>
internal sealed class StdConv : nn.Module<Tensor, Tensor>
{
    private const double Epsilon = 1e-5;

    private readonly Parameter weight;
    private readonly int kernel;
    private readonly int stride;

    public StdConv(int inputs, int outputs, int kernel, int stride = 1)
        : base(nameof(StdConv))
    {
        this.kernel = kernel;
        this.stride = stride;
        weight = new Parameter(empty(outputs, inputs, kernel, kernel));
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        long[] filter = [1, 2, 3];
        var centred = weight - weight.mean(filter, keepdim: true);
        var standardised = centred / weight.std(filter, unbiased: true, keepdim: true).Plus(Epsilon);
        return nn.functional.conv2d(TfSamePadding.Pad(input, kernel, stride), standardised, strides: [stride, stride]).MoveToOuterDisposeScope();
    }
}
