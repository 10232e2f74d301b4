using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableVsr.Models.Raft;

/// <summary>
/// <c>BatchNorm2d</c> with torchvision's parameter and buffer names (<c>weight</c>, <c>bias</c>, <c>running_mean</c>,
/// <c>running_var</c>, <c>num_batches_tracked</c>) whose statistics are chosen by <see cref="Statistics"/> rather than
/// by the module's training flag, so that the flow does not depend on whether someone called <c>train()</c> or
/// <c>eval()</c>. Input and output [B, C, H, W].
/// </summary>
internal sealed class RaftBatchNorm : nn.Module<Tensor, Tensor>
{
    private const double Epsilon = 1e-5;

    private readonly Parameter weight;
    private readonly Parameter bias;
    private readonly Tensor running_mean;
    private readonly Tensor running_var;
    private readonly Tensor num_batches_tracked;

    /// <summary>Creates the layer with PyTorch's initial values (weight 1, bias 0, mean 0, variance 1).</summary>
    public RaftBatchNorm(long channels)
        : base("BatchNorm2d")
    {
        // The module owns its tensors: a network built inside a caller's dispose scope must not lose them when it ends.
        weight = nn.Parameter(ones(channels).DetachFromDisposeScope());
        bias = nn.Parameter(zeros(channels).DetachFromDisposeScope());
        running_mean = zeros(channels).DetachFromDisposeScope();
        running_var = ones(channels).DetachFromDisposeScope();
        num_batches_tracked = tensor(0L).DetachFromDisposeScope();
        register_parameter(nameof(weight), weight);
        register_parameter(nameof(bias), bias);
        register_buffer(nameof(running_mean), running_mean);
        register_buffer(nameof(running_var), running_var);
        register_buffer(nameof(num_batches_tracked), num_batches_tracked);
    }

    /// <summary>The statistics the next forward normalises with.</summary>
    public RaftNormStatistics Statistics { get; set; } = RaftNormStatistics.PerSample;

    /// <inheritdoc/>
    public override Tensor forward(Tensor input) => Statistics switch
    {
        // instance_norm with affine parameters is batch_norm applied to each sample alone: the same reduction over
        // H x W per channel as a batch of one in training mode, whatever the batch size.
        RaftNormStatistics.PerSample => nn.functional.instance_norm(input, weight: weight, bias: bias, use_input_stats: true, eps: Epsilon),

        // Null running statistics: training-mode batch statistics without touching the stored ones.
        RaftNormStatistics.Batch => nn.functional.batch_norm(input, null, null, weight, bias, training: true, eps: Epsilon),
        RaftNormStatistics.Running => nn.functional.batch_norm(input, running_mean, running_var, weight, bias, training: false, eps: Epsilon),
        var other => throw new ArgumentOutOfRangeException(nameof(Statistics), other, "Unknown RAFT normalisation statistics."),
    };
}
