using StableVsr.Models.Clip;
using StableVsr.Models.ControlNet;
using StableVsr.Models.Unet;
using StableVsr.Models.Vae;
using StableVsr.Weights.Configs;
using static TorchSharp.torch;
using RaftModel = StableVsr.Models.Raft.Raft;

namespace StableVsr.Models.Loading;

/// <summary>
/// The networks of StableVSR, loaded once and shared by every run of a pipeline: UNet, ControlNet (the temporal
/// conditioning module), VAE, RAFT-large and the CLIP text encoder with its tokenizer, plus the scheduler config.
/// Each model is on <see cref="Device"/> in the precision <see cref="Precision"/> gave it, in eval mode.
/// <see cref="StableVsrModelLoader"/> loads them.
/// </summary>
public sealed class StableVsrModels : IDisposable
{
    /// <summary>Wraps already loaded models; they become owned by this object.</summary>
    public StableVsrModels(
        UNet2DConditionModel unet,
        ControlNetModel controlNet,
        AutoencoderKL vae,
        RaftModel raft,
        ClipTextModel textEncoder,
        ClipTokenizer tokenizer,
        SchedulerConfig schedulerConfig,
        Device device,
        PrecisionPolicy precision,
        string fingerprint = "")
    {
        Unet = unet;
        ControlNet = controlNet;
        Vae = vae;
        Raft = raft;
        TextEncoder = textEncoder;
        Tokenizer = tokenizer;
        SchedulerConfig = schedulerConfig;
        Device = device;
        Precision = precision;
        Fingerprint = fingerprint;
    }

    /// <summary>The denoising UNet.</summary>
    public UNet2DConditionModel Unet { get; }

    /// <summary>The ControlNet that takes the warped previous frame (temporal texture guidance).</summary>
    public ControlNetModel ControlNet { get; }

    /// <summary>The x4 VAE.</summary>
    public AutoencoderKL Vae { get; }

    /// <summary>RAFT-large optical flow.</summary>
    public RaftModel Raft { get; }

    /// <summary>The CLIP text encoder.</summary>
    public ClipTextModel TextEncoder { get; }

    /// <summary>The CLIP tokenizer.</summary>
    public ClipTokenizer Tokenizer { get; }

    /// <summary>The checkpoint's scheduler config.</summary>
    public SchedulerConfig SchedulerConfig { get; }

    /// <summary>The device every model is on.</summary>
    public Device Device { get; }

    /// <summary>The precision of each model.</summary>
    public PrecisionPolicy Precision { get; }

    /// <summary>
    /// A cheap identity of the checkpoint and precision the models were loaded from (file names, lengths, configs and
    /// weight headers), empty for models assembled by hand. A resumed run and the workers of a cluster compare it to
    /// be sure they use the same model.
    /// </summary>
    public string Fingerprint { get; }

    /// <summary>Encodes a prompt into the UNet's cross-attention states [1, 77, hidden] (StableVSR uses "").</summary>
    public Tensor EncodePrompt(string prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var ids = Tokenizer.EncodeBatch([prompt], Device);
        using var output = TextEncoder.forward(ids);
        return output.LastHiddenState.to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Unet.Dispose();
        ControlNet.Dispose();
        Vae.Dispose();
        Raft.Dispose();
        TextEncoder.Dispose();
    }
}
