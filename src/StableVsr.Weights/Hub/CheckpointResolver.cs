using System.Net;
using Microsoft.Extensions.Logging;

namespace StableVsr.Weights.Hub;

/// <summary>
/// Turns a model reference and a RAFT reference into local files: local paths are used as they are; a Hub id is
/// resolved through the Hugging Face cache (downloading what is missing unless offline), and missing RAFT weights come
/// from torchvision's URL through the torch hub cache.
/// </summary>
internal static class CheckpointResolver
{
    /// <summary>The local folder of <paramref name="model"/> (a folder, or a Hub id resolved and downloaded into the cache).</summary>
    /// <exception cref="ModelLoadException">The folder does not exist, or the Hub files cannot be had.</exception>
    public static async Task<string> ResolveModelAsync(
        string model, HubOptions hub, ILoggerFactory loggerFactory, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        var reference = ModelReference.Parse(model);
        if (reference.IsLocal)
        {
            if (!Directory.Exists(reference.LocalPath))
            {
                throw new ModelLoadException($"Model folder '{reference.LocalPath}' does not exist. Give a folder in diffusers layout or a Hub id such as {PretrainedWeights.StableVsr.HubId}.", reference.LocalPath);
            }

            return reference.LocalPath!;
        }

        using var repository = new ModelRepository(hub, loggerFactory);
        var folder = await repository.ResolveAsync(reference, CheckpointLayout.RequiredFiles, progress, cancellationToken).ConfigureAwait(false);
        foreach (var (subfolder, names) in CheckpointLayout.ModelFolders)
        {
            await ResolveFirstAvailableAsync(repository, reference, subfolder, names, progress, cancellationToken).ConfigureAwait(false);
        }

        return folder;
    }

    /// <summary>The local RAFT weights: <paramref name="raft"/> when given, else <see cref="PretrainedWeights.RaftLarge"/> through the torch hub cache.</summary>
    /// <exception cref="ModelLoadException">The file does not exist, or the download fails.</exception>
    public static async Task<string> ResolveRaftAsync(string? raft, HubOptions hub, ILoggerFactory loggerFactory, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        if (raft is null)
        {
            using var torchHub = new TorchHubDownloader(hub, loggerFactory.CreateLogger<TorchHubDownloader>());
            return await torchHub.DownloadAsync(PretrainedWeights.RaftLarge, progress, cancellationToken).ConfigureAwait(false);
        }

        if (!File.Exists(raft))
        {
            throw new ModelLoadException($"RAFT weights '{raft}' do not exist. Give a .pth or .safetensors file of torchvision's raft_large, or leave the option out to use the torch hub cache.", raft);
        }

        return Path.GetFullPath(raft);
    }

    private static async Task ResolveFirstAvailableAsync(
        ModelRepository repository, ModelReference reference, string subfolder, IReadOnlyList<string> names, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        for (var i = 0; i < names.Count; i++)
        {
            try
            {
                await repository.ResolveAsync(reference, [$"{subfolder}/{names[i]}"], progress, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (HubDownloadException e) when (e.StatusCode == HttpStatusCode.NotFound && i < names.Count - 1)
            {
                // The checkpoint stores this model in an older format; try the next name.
            }
        }
    }
}
