using TorchSharp;
using static TorchSharp.torch;

namespace StableVsr.Models.Blocks;

/// <summary>
/// Gradient checkpointing (PyTorch's reentrant <c>torch.utils.checkpoint</c>, which TorchSharp does not have) as a custom
/// autograd function: the forward pass runs the block without building a graph, keeping only its inputs; the backward
/// pass runs the block again with autograd on and back-propagates through that fresh graph, which accumulates the
/// block's parameter gradients and gives the input gradients. The block must be deterministic (no dropout) so that
/// both passes compute the same values.
/// </summary>
internal sealed class CheckpointedForward : autograd.MultiTensorFunction<CheckpointedForward>
{
    private const string BlockKey = "block";

    /// <inheritdoc />
    public override string Name => nameof(CheckpointedForward);

    /// <summary>Runs <paramref name="block"/> on <paramref name="inputs"/>, checkpointed when autograd is recording.</summary>
    /// <param name="block">The computation: inputs to outputs, each output a distinct tensor.</param>
    /// <param name="inputs">The tensors the block reads; those that require gradients get them.</param>
    public static IReadOnlyList<Tensor> Run(Func<IReadOnlyList<Tensor>, IReadOnlyList<Tensor>> block, IReadOnlyList<Tensor> inputs)
    {
        ArgumentNullException.ThrowIfNull(block);
        ArgumentNullException.ThrowIfNull(inputs);
        if (!is_grad_enabled() || !inputs.Any(i => i.requires_grad))
        {
            return block(inputs);
        }

        var arguments = new object[inputs.Count + 1];
        arguments[0] = block;
        for (var i = 0; i < inputs.Count; i++)
        {
            arguments[i + 1] = inputs[i];
        }

        return apply(arguments);
    }

    /// <inheritdoc />
    public override List<Tensor> forward(autograd.AutogradContext ctx, params object[] vars)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(vars);
        var block = (Func<IReadOnlyList<Tensor>, IReadOnlyList<Tensor>>)vars[0];
        var inputs = vars.Skip(1).Cast<Tensor>().ToList();
        ctx.save_data(BlockKey, block);
        ctx.save_for_backward(inputs);
        return [.. block(inputs)];
    }

    /// <inheritdoc />
    public override List<Tensor> backward(autograd.AutogradContext ctx, List<Tensor> grad_outputs)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(grad_outputs);
        var block = (Func<IReadOnlyList<Tensor>, IReadOnlyList<Tensor>>)ctx.get_data(BlockKey);
        var saved = ctx.get_saved_variables();
        using var recording = enable_grad();
        var inputs = saved.Select(s => s.detach().requires_grad_(s.requires_grad)).ToList();
        var outputs = block(inputs);
        var differentiable = Enumerable.Range(0, outputs.Count).Where(i => outputs[i].requires_grad && grad_outputs[i] is { IsInvalid: false }).ToList();
        autograd.backward(differentiable.Select(i => outputs[i]).ToList(), differentiable.Select(i => grad_outputs[i]).ToList());
        var gradients = new List<Tensor> { null! };
        gradients.AddRange(inputs.Select(i => i.requires_grad ? i.grad! : null!));
        return gradients;
    }
}
