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

/// <summary>The fixtures' tiny StableVSR networks set up as train.py sets them up, on the CPU in float32. Owns them.</summary>
internal sealed class TinyTrainingNetworks : IDisposable
{
    public TinyTrainingNetworks(torch.Tensor promptEmbeds)
    {
        var folder = TinyPipeline.ModelFolder;
        Unet = UNet2DConditionModel.FromPretrained(Path.Combine(folder, "unet"));
        Vae = AutoencoderKL.FromPretrained(Path.Combine(folder, "vae"));
        ControlNet = ControlNetModel.FromPretrained(Path.Combine(folder, "controlnet"));
        Raft = Raft.FromFile(TinyPipeline.RaftWeights);
        Raft.NormStatistics = RaftNormStatistics.Batch;
        Parameters = TrainableControlNet.Prepare(ControlNet);
        var diffusion = new DiffusionTargets(SchedulerConfig.Load(Path.Combine(folder, "scheduler", "scheduler_config.json")));
        PromptEmbeds = promptEmbeds.DetachFromDisposeScope();
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
