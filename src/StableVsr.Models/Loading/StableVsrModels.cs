using StableVsr.Models.Clip;
using StableVsr.Models.ControlNet;
using StableVsr.Models.Unet;
using StableVsr.Models.Vae;
using StableVsr.Weights.Configs;
using static TorchSharp.torch;
using RaftModel = StableVsr.Models.Raft.Raft;

namespace StableVsr.Models.Loading;

/// <summary>
/// StableVSR's networks, loaded once by <see cref="StableVsrModelLoader"/> and shared by every run of the upscaler made
/// over them: UNet, ControlNet (the temporal conditioning module), VAE, RAFT-large and the CLIP text encoder with its
/// tokenizer, plus the scheduler config, each on <see cref="Device"/> in the precision <see cref="Precision"/> gave it.
/// A host holds it as a handle (device, precision, fingerprint) and hands it to an upscaler, which then owns it.
/// </summary>
public sealed class StableVsrModels : IDisposable
{
    private ClipTextModel? textEncoder;

    /// <summary>Wraps already loaded models; they become owned by this object.</summary>
    internal StableVsrModels(
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
        this.textEncoder = textEncoder;
        Tokenizer = tokenizer;
        SchedulerConfig = schedulerConfig;
        Device = device;
        Precision = precision;
        Fingerprint = fingerprint;
    }

    /// <summary>The device every model is on (the one the options' device resolved to).</summary>
    public Device Device { get; }

    /// <summary>The precision of each model.</summary>
    public PrecisionPolicy Precision { get; }

    /// <summary>
    /// A cheap identity of the checkpoint and precision the models were loaded from (file names, lengths, configs and
    /// weight headers), empty for models assembled by hand. A resumed run and the workers of a cluster compare it to
    /// be sure they use the same model.
    /// </summary>
    public string Fingerprint { get; }

    /// <summary>The denoising UNet.</summary>
    internal UNet2DConditionModel Unet { get; }

    /// <summary>The ControlNet that takes the warped previous frame (temporal texture guidance).</summary>
    internal ControlNetModel ControlNet { get; }

    /// <summary>The x4 VAE.</summary>
    internal AutoencoderKL Vae { get; }

    /// <summary>RAFT-large optical flow.</summary>
    internal RaftModel Raft { get; }

    /// <summary>The CLIP text encoder.</summary>
    /// <exception cref="InvalidOperationException">It was released (<see cref="ReleaseTextEncoder"/>).</exception>
    internal ClipTextModel TextEncoder => textEncoder ?? throw new InvalidOperationException("The text encoder was released after the prompt was encoded; these models cannot encode prompts any more.");

    /// <summary>The CLIP tokenizer.</summary>
    internal ClipTokenizer Tokenizer { get; }

    /// <summary>The checkpoint's scheduler config.</summary>
    internal SchedulerConfig SchedulerConfig { get; }

    /// <summary>Encodes a prompt into the UNet's cross-attention states [1, 77, hidden] (StableVSR uses "").</summary>
    internal Tensor EncodePrompt(string prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var ids = Tokenizer.EncodeBatch([prompt], Device);
        using var output = TextEncoder.forward(ids);
        return output.LastHiddenState.to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Frees the text encoder (the largest network after the UNet) when no prompt will be encoded any more: training
    /// encodes its one prompt up front and, without validation runs, needs it no longer.
    /// </summary>
    internal void ReleaseTextEncoder()
    {
        textEncoder?.Dispose();
        textEncoder = null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Unet.Dispose();
        ControlNet.Dispose();
        Vae.Dispose();
        Raft.Dispose();
        ReleaseTextEncoder();
    }
}
