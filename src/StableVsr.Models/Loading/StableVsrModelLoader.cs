using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StableVsr.Models.Clip;
using StableVsr.Models.ControlNet;
using StableVsr.Models.Runtime;
using StableVsr.Models.Unet;
using StableVsr.Models.Vae;
using StableVsr.Weights;
using StableVsr.Weights.Configs;
using StableVsr.Weights.Hub;
using static TorchSharp.torch;

namespace StableVsr.Models.Loading;

/// <summary>
/// Loads StableVSR's networks: resolves a <see cref="ModelSource"/> to local files (a folder as it is, a Hub id through
/// the Hugging Face cache, RAFT through the torch hub cache, downloading what is missing unless offline), reads the
/// configs, builds every model and loads its weights on a device in a precision. One loader serves many loads.
/// </summary>
public sealed partial class StableVsrModelLoader
{
    private readonly ILoggerFactory loggerFactory;
    private readonly HubOptions hubOptions;
    private readonly ILogger logger;

    /// <summary>Creates a loader.</summary>
    /// <param name="loggerFactory">Logging; null logs nothing.</param>
    /// <param name="hubOptions">Hugging Face and torch hub settings; null reads HF_HOME, HF_HUB_CACHE, HF_ENDPOINT, HF_TOKEN, HF_HUB_OFFLINE and TORCH_HOME.</param>
    public StableVsrModelLoader(ILoggerFactory? loggerFactory = null, HubOptions? hubOptions = null)
    {
        this.loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        this.hubOptions = hubOptions ?? HubOptions.FromEnvironment();
        logger = this.loggerFactory.CreateLogger<StableVsrModelLoader>();
    }

    /// <summary>Resolves <paramref name="source"/> and loads every model on <paramref name="device"/> in <paramref name="precision"/>.</summary>
    /// <param name="source">The model and RAFT weights.</param>
    /// <param name="device">Where the models run.</param>
    /// <param name="precision">The dtype of each model.</param>
    /// <param name="downloadProgress">Receives download progress when weights must be fetched.</param>
    /// <param name="cancellationToken">Cancels downloads and loading (between models).</param>
    /// <exception cref="ModelLoadException">The model or RAFT weights cannot be found, downloaded or loaded.</exception>
    /// <exception cref="NativeBackendException">The backend or the device is not available.</exception>
    /// <exception cref="InvalidInputException">The precision cannot run on the device (float16 on the CPU).</exception>
    public async Task<StableVsrModels> LoadAsync(
        ModelSource source,
        ComputeDevice device,
        PrecisionPolicy precision,
        IProgress<DownloadProgress>? downloadProgress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(precision);
        var torchDevice = TorchBackend.ResolveDevice(device, logger);
        CheckPrecision(precision, torchDevice);
        var folder = await CheckpointResolver.ResolveModelAsync(source.Model, hubOptions, loggerFactory, downloadProgress, cancellationToken).ConfigureAwait(false);
        var raft = await CheckpointResolver.ResolveRaftAsync(source.Raft, hubOptions, loggerFactory, downloadProgress, cancellationToken).ConfigureAwait(false);
        var controlNetFolder = source.ControlNet is { } given ? CheckControlNetFolder(given) : null;
        var fingerprint = ModelFingerprint.Of(folder, raft, precision, controlNetFolder);
        return await Task.Run(
            () => Load(
                folder,
                raft,
                torchDevice,
                precision,
                _ => ControlNetModel.FromPretrained(controlNetFolder ?? Path.Combine(folder, CheckpointLayout.ControlNetFolder), torchDevice, ToScalarType(precision.ControlNet), logger),
                fingerprint,
                cancellationToken),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Builds every network of the local checkpoint folder <paramref name="folder"/> on <paramref name="device"/>: the
    /// one place that knows the folder's layout and each network's precision. The ControlNet comes from
    /// <paramref name="controlNet"/>, given the loaded UNet (a checkpoint's ControlNet, or training's ControlNet made from
    /// the UNet), identified by <paramref name="fingerprint"/> (empty for models no run is resumed with).
    /// </summary>
    /// <exception cref="ModelLoadException">A network cannot be loaded; those already loaded are disposed.</exception>
    /// <exception cref="InvalidInputException">The precision cannot run on the device (float16 on the CPU).</exception>
    internal StableVsrModels Load(
        string folder, string raftWeights, Device device, PrecisionPolicy precision, Func<UNet2DConditionModel, ControlNetModel> controlNet, string fingerprint = "", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(controlNet);
        CheckPrecision(precision, device);
        TorchBackend.EnsureAvailable(logger);
        LogLoading(logger, folder, device.ToString());
        var loaded = new List<IDisposable>();
        try
        {
            T Next<T>(Func<T> load)
                where T : IDisposable
            {
                cancellationToken.ThrowIfCancellationRequested();
                var model = load();
                loaded.Add(model);
                return model;
            }

            string Sub(string name) => Path.Combine(folder, name);
            var unet = Next(() => UNet2DConditionModel.FromPretrained(Sub(CheckpointLayout.UnetFolder), device, ToScalarType(precision.Unet), logger));
            var vae = Next(() => AutoencoderKL.FromPretrained(Sub(CheckpointLayout.VaeFolder), device, ToScalarType(precision.Vae), logger));
            var textEncoder = Next(() => ClipTextModel.FromPretrained(Sub(CheckpointLayout.TextEncoderFolder), device, ToScalarType(precision.TextEncoder), logger));
            var raft = Next(() => Raft.Raft.FromFile(raftWeights, device, ToScalarType(precision.Raft), logger));
            var tokenizer = ClipTokenizer.FromFolder(Sub(CheckpointLayout.TokenizerFolder), logger);
            var scheduler = SchedulerConfig.Load(Sub(CheckpointLayout.SchedulerConfigPath), logger);
            var control = Next(() => controlNet(unet));
            return new StableVsrModels(unet, control, vae, raft, textEncoder, tokenizer, scheduler, device, precision, fingerprint);
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
    internal static ScalarType ToScalarType(ModelPrecision precision) => precision switch
    {
        ModelPrecision.Float16 => ScalarType.Float16,
        ModelPrecision.BFloat16 => ScalarType.BFloat16,
        _ => ScalarType.Float32,
    };

    // A replacement ControlNet is a local folder only (a checkpoint of 'stablevsr train' or a copy of a model's
    // controlnet/): say so before the other models load for minutes.
    private static string CheckControlNetFolder(string folder)
    {
        var full = Path.GetFullPath(folder);
        if (!File.Exists(Path.Combine(full, CheckpointLayout.ConfigFileName)) || CheckpointLayout.FindWeights(full) is null)
        {
            throw new ModelLoadException(
                $"The ControlNet folder '{full}' needs a {CheckpointLayout.ConfigFileName} and a weights file (diffusion_pytorch_model.safetensors or .bin): " +
                "give a checkpoint folder written by 'stablevsr train' (checkpoint-N/controlnet) or a model's controlnet/ folder.",
                full);
        }

        return full;
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

    [LoggerMessage(EventId = LoggerEventIds.LoadingModels, Level = LogLevel.Information, Message = "Loading StableVSR from {Folder} on {Device}")]
    private static partial void LogLoading(ILogger logger, string folder, string device);
}
