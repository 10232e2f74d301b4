using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableVsr.Models.Blocks;

/// <summary>diffusers' <c>GEGLU</c>: one projection to twice the width, split into a value half and a GELU-gated half.</summary>
internal sealed class GEGLU : nn.Module<Tensor, Tensor>
{
    private readonly Linear proj;

    /// <summary>Creates the layer from <paramref name="dimIn"/> to <paramref name="dimOut"/> features.</summary>
    public GEGLU(int dimIn, int dimOut)
        : base(nameof(GEGLU))
    {
        proj = nn.Linear(dimIn, dimOut * 2);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor hiddenStates)
    {
        using var scope = NewDisposeScope();
        var halves = proj.forward(hiddenStates).chunk(2, -1);
        return (halves[0] * nn.functional.gelu(halves[1])).MoveToOuterDisposeScope();
    }
}
