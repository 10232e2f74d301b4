using TorchSharp;
using static TorchSharp.torch;

namespace StableVsr.Models.Raft;

/// <summary>
/// RAFT's update block: motion encoder, recurrent block and flow head. One call is one refinement step.
/// </summary>
internal sealed class UpdateBlock : nn.Module<UpdateBlockInput, UpdateBlockOutput>
{
    private readonly MotionEncoder motion_encoder;
    private readonly RecurrentBlock recurrent_block;
    private readonly FlowHead flow_head;

    /// <summary>Creates the block from the RAFT configuration.</summary>
    public UpdateBlock(RaftConfig config)
        : base(nameof(UpdateBlock))
    {
        ArgumentNullException.ThrowIfNull(config);
        motion_encoder = new MotionEncoder(config.CorrChannels, config.MotionEncoderCorrLayers, config.MotionEncoderFlowLayers, config.MotionEncoderOutChannels);
        recurrent_block = new RecurrentBlock(config.MotionEncoderOutChannels + config.ContextChannels, config.HiddenStateSize);
        flow_head = new FlowHead(config.HiddenStateSize, config.FlowHeadHiddenSize);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override UpdateBlockOutput forward(UpdateBlockInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = NewDisposeScope();
        var motion = motion_encoder.call(new MotionEncoderInput(input.Flow, input.CorrFeatures));
        var x = cat([input.Context, motion], 1);
        var hidden = recurrent_block.call(new RecurrentInput(input.Hidden, x));
        var delta = flow_head.call(hidden);
        return new UpdateBlockOutput(hidden.MoveToOuterDisposeScope(), delta.MoveToOuterDisposeScope());
    }
}
