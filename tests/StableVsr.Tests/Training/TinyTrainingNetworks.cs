using StableVsr.Models.ControlNet;
using StableVsr.Models.Raft;
using StableVsr.Models.Unet;
using StableVsr.Models.Vae;
using StableVsr.Tests.Support;
using StableVsr.Training.Diffusion;
using StableVsr.Training.Initialization;
using StableVsr.Training.Steps;
using StableVsr.Weights.Configs;
using TorchSharp;

namespace StableVsr.Tests.Training;

/// <summary>
/// The fixtures' tiny StableVSR networks set up as train.py sets them up, on the CPU, in float32 unless asked otherwise
/// (float64 for finite-difference checks). Owns them.
/// </summary>
internal sealed class TinyTrainingNetworks : IDisposable
{
    /// <summary>Loads the networks; <paramref name="scheduler"/> replaces the model folder's scheduler config (a fixture's own).</summary>
    public TinyTrainingNetworks(torch.Tensor promptEmbeds, SchedulerConfig? scheduler = null, torch.ScalarType dtype = torch.ScalarType.Float32)
    {
        var folder = TinyPipeline.ModelFolder;
        Unet = UNet2DConditionModel.FromPretrained(Path.Combine(folder, "unet"), dtype: dtype);
        Vae = AutoencoderKL.FromPretrained(Path.Combine(folder, "vae"), dtype: dtype);
        ControlNet = ControlNetModel.FromPretrained(Path.Combine(folder, "controlnet"), dtype: dtype);
        Raft = Raft.FromFile(TinyPipeline.RaftWeights, dtype: dtype);
        Raft.NormStatistics = RaftNormStatistics.Batch;
        Parameters = TrainableControlNet.Prepare(ControlNet);
        var diffusion = new DiffusionTargets(scheduler ?? SchedulerConfig.Load(Path.Combine(folder, "scheduler", "scheduler_config.json")));
        PromptEmbeds = promptEmbeds.to(dtype).DetachFromDisposeScope();
        Networks = new TrainingNetworks(Unet, Vae, Raft, ControlNet, diffusion, PromptEmbeds);
    }

    public UNet2DConditionModel Unet { get; }

    public AutoencoderKL Vae { get; }

    public ControlNetModel ControlNet { get; }

    public Raft Raft { get; }

    public torch.Tensor PromptEmbeds { get; }

    public IReadOnlyList<(string Name, torch.Tensor Parameter)> Parameters { get; }

    public TrainingNetworks Networks { get; }

    public void Dispose()
    {
        Unet.Dispose();
        Vae.Dispose();
        ControlNet.Dispose();
        Raft.Dispose();
        PromptEmbeds.Dispose();
    }
}
