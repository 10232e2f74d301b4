using System.Net;
using Microsoft.Extensions.Logging;
using StableVsr.Weights.Hub;

namespace StableVsr.Sampling.Pipeline;

/// <summary>
/// Turns the model and RAFT references of a <see cref="PipelineSource"/> into local files: local paths are used as
/// they are; a Hub id is resolved through the Hugging Face cache (downloading what is missing unless offline), and
/// missing RAFT weights come from torchvision's URL through the torch hub cache.
/// </summary>
internal static class WeightsLocator
{
    /// <summary>Files a StableVSR folder needs besides model weights.</summary>
    private static readonly string[] RequiredFiles =
    [
        "unet/config.json", "controlnet/config.json", "vae/config.json", "text_encoder/config.json",
        "scheduler/scheduler_config.json",
        "tokenizer/vocab.json", "tokenizer/merges.txt", "tokenizer/tokenizer_config.json", "tokenizer/special_tokens_map.json",
    ];

    /// <summary>Each model folder and its weight file names, most preferred first.</summary>
    private static readonly (string Folder, string[] Names)[] WeightFiles =
    [
        ("unet", ["diffusion_pytorch_model.safetensors", "diffusion_pytorch_model.bin"]),
        ("controlnet", ["diffusion_pytorch_model.safetensors", "diffusion_pytorch_model.bin"]),
        ("vae", ["diffusion_pytorch_model.safetensors", "diffusion_pytorch_model.bin"]),
        ("text_encoder", ["model.safetensors", "pytorch_model.bin"]),
    ];

    public static async Task<string> ResolveModelAsync(
        string model, HubOptions hub, ILoggerFactory loggerFactory, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        var reference = ModelReference.Parse(model);
        if (reference.IsLocal)
        {
            if (!Directory.Exists(reference.LocalPath))
            {
                throw new ModelLoadException($"Model folder '{reference.LocalPath}' does not exist. Give a folder in diffusers layout or a Hub id such as {PipelineSource.DefaultModel}.", reference.LocalPath);
            }

            return reference.LocalPath!;
        }

        using var repository = new ModelRepository(hub, loggerFactory);
        var folder = await repository.ResolveAsync(reference, RequiredFiles, progress, cancellationToken).ConfigureAwait(false);
        foreach (var (subfolder, names) in WeightFiles)
        {
            await ResolveFirstAvailableAsync(repository, reference, subfolder, names, progress, cancellationToken).ConfigureAwait(false);
        }

        return folder;
    }

    public static async Task<string> ResolveRaftAsync(string? raft, HubOptions hub, ILoggerFactory loggerFactory, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        if (raft is null)
        {
            using var torchHub = new TorchHubDownloader(hub, loggerFactory.CreateLogger<TorchHubDownloader>());
            return await torchHub.DownloadAsync(TorchHubDownloader.RaftLargeUrl, progress, cancellationToken).ConfigureAwait(false);
        }

        if (!File.Exists(raft))
        {
            throw new ModelLoadException($"RAFT weights '{raft}' do not exist. Give a .pth or .safetensors file of torchvision's raft_large, or leave the option out to use the torch hub cache.", raft);
        }

        return Path.GetFullPath(raft);
    }

    private static async Task ResolveFirstAvailableAsync(
        ModelRepository repository, ModelReference reference, string subfolder, string[] names, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        for (var i = 0; i < names.Length; i++)
        {
            try
            {
                await repository.ResolveAsync(reference, [$"{subfolder}/{names[i]}"], progress, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (HubDownloadException e) when (e.StatusCode == HttpStatusCode.NotFound && i < names.Length - 1)
            {
                // The checkpoint stores this model in an older format; try the next name.
            }
        }
    }
}
