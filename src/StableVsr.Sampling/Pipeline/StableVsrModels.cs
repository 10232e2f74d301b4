using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StableVsr.Models.Clip;
using StableVsr.Models.ControlNet;
using StableVsr.Models.Raft;
using StableVsr.Models.Unet;
using StableVsr.Models.Vae;
using StableVsr.Weights.Configs;
using static TorchSharp.torch;

namespace StableVsr.Sampling.Pipeline;

/// <summary>
/// The networks of StableVSR, loaded once and shared by every run of a pipeline: UNet, ControlNet (the temporal
/// conditioning module), VAE, RAFT-large and the CLIP text encoder with its tokenizer, plus the scheduler config.
/// Each model is on <see cref="Device"/> in the precision the <see cref="PrecisionPolicy"/> gave it, in eval mode.
/// </summary>
public sealed class StableVsrModels : IDisposable
{
    /// <summary>Wraps already loaded models; they become owned by this object.</summary>
    public StableVsrModels(
        UNet2DConditionModel unet,
        ControlNetModel controlNet,
        AutoencoderKL vae,
        Raft raft,
        ClipTextModel textEncoder,
        ClipTokenizer tokenizer,
        SchedulerConfig schedulerConfig,
        Device device)
    {
        Unet = unet;
        ControlNet = controlNet;
        Vae = vae;
        Raft = raft;
        TextEncoder = textEncoder;
        Tokenizer = tokenizer;
        SchedulerConfig = schedulerConfig;
        Device = device;
    }

    /// <summary>The denoising UNet.</summary>
    public UNet2DConditionModel Unet { get; }

    /// <summary>The ControlNet that takes the warped previous frame (temporal texture guidance).</summary>
    public ControlNetModel ControlNet { get; }

    /// <summary>The x4 VAE.</summary>
    public AutoencoderKL Vae { get; }

    /// <summary>RAFT-large optical flow.</summary>
    public Raft Raft { get; }

    /// <summary>The CLIP text encoder.</summary>
    public ClipTextModel TextEncoder { get; }

    /// <summary>The CLIP tokenizer.</summary>
    public ClipTokenizer Tokenizer { get; }

    /// <summary>The checkpoint's scheduler config.</summary>
    public SchedulerConfig SchedulerConfig { get; }

    /// <summary>The device every model is on.</summary>
    public Device Device { get; }

    /// <summary>
    /// Loads every model from a local folder in diffusers layout and a RAFT weights file; <paramref name="controlNetFolder"/>
    /// replaces the folder's <c>controlnet/</c> when given.
    /// </summary>
    /// <exception cref="ModelLoadException">A file is missing or corrupt, or weights do not match the configs.</exception>
    public static StableVsrModels Load(string modelFolder, string raftWeights, Device device, PrecisionPolicy precision, ILoggerFactory? loggerFactory = null, string? controlNetFolder = null)
    {
        ArgumentNullException.ThrowIfNull(modelFolder);
        ArgumentNullException.ThrowIfNull(raftWeights);
        ArgumentNullException.ThrowIfNull(precision);
        loggerFactory ??= NullLoggerFactory.Instance;
        var logger = loggerFactory.CreateLogger<StableVsrModels>();
        if (!Directory.Exists(modelFolder))
        {
            throw new ModelLoadException($"Model folder '{modelFolder}' does not exist.", modelFolder);
        }

        CheckPrecision(precision, device);
        var loaded = new List<IDisposable>();
        try
        {
            T Track<T>(T model)
                where T : IDisposable
            {
                loaded.Add(model);
                return model;
            }

            string Sub(string name) => Path.Combine(modelFolder, name);
            logger.LogInformation("Loading StableVSR from {Folder} on {Device}", modelFolder, device);
            var unet = Track(UNet2DConditionModel.FromPretrained(Sub("unet"), device, ToScalarType(precision.Unet), logger));
            var controlNet = Track(ControlNetModel.FromPretrained(controlNetFolder ?? Sub("controlnet"), device, ToScalarType(precision.ControlNet), logger));
            var vae = Track(AutoencoderKL.FromPretrained(Sub("vae"), device, ToScalarType(precision.Vae), logger));
            var textEncoder = Track(ClipTextModel.FromPretrained(Sub("text_encoder"), device, ToScalarType(precision.TextEncoder), logger));
            var raft = Track(Raft.FromFile(raftWeights, device, ToScalarType(precision.Raft), logger));
            var tokenizer = ClipTokenizer.FromFolder(Sub("tokenizer"), logger);
            var scheduler = SchedulerConfig.Load(Path.Combine(Sub("scheduler"), "scheduler_config.json"), logger);
            foreach (var module in new nn.Module[] { unet, controlNet, vae, textEncoder, raft })
            {
                module.eval();
            }

            return new StableVsrModels(unet, controlNet, vae, raft, textEncoder, tokenizer, scheduler, device);
        }
        catch
        {
            foreach (var model in loaded)
            {
                model.Dispose();
            }

            throw;
        }
    }

    /// <summary>The TorchSharp type for a <see cref="ModelPrecision"/>.</summary>
    public static ScalarType ToScalarType(ModelPrecision precision) => precision switch
    {
        ModelPrecision.Float16 => ScalarType.Float16,
        ModelPrecision.BFloat16 => ScalarType.BFloat16,
        _ => ScalarType.Float32,
    };

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

    private static void CheckPrecision(PrecisionPolicy precision, Device device)
    {
        if (device.type == TorchSharp.DeviceType.CPU
            && new[] { precision.Unet, precision.ControlNet, precision.Vae, precision.Raft, precision.TextEncoder }.Contains(ModelPrecision.Float16))
        {
            throw new InvalidInputException(
                "float16 models need a CUDA device: libtorch's CPU kernels for float16 convolutions are missing or very slow. " +
                "Use PrecisionPolicy.Float32 (or BFloat16) on the CPU.");
        }
    }
}
