using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StableVsr.Weights.Hub;

namespace StableVsr.Training;

/// <summary>
/// Trains StableVSR's Temporal Conditioning Module (its ControlNet) as StableVSR's <c>train.py</c> does, step for step:
/// the UNet, VAE and RAFT stay frozen, each batch of 3-frame windows teaches the ControlNet to use the warped, denoised
/// neighbour frame, and AdamW with clipping and diffusers' learning-rate schedules updates it. Checkpoints
/// (<c>checkpoint-N/</c>) resume exactly; the result is a ControlNet in diffusers layout that
/// <c>stablevsr upscale --controlnet</c> and diffusers load.
/// </summary>
public static class ControlNetTrainer
{
    /// <summary>Runs a training to the end (or until cancelled) on a thread of its own.</summary>
    /// <param name="options">What to train on and how; see <see cref="TrainingOptions"/> for train.py's names and defaults.</param>
    /// <param name="progress">Receives a report after every optimizer step, checkpoint and validation.</param>
    /// <param name="loggerFactory">Logging; null logs nothing.</param>
    /// <param name="hubOptions">Hugging Face and torch hub settings for a model given as a Hub id or RAFT weights left out; null reads the environment.</param>
    /// <param name="cancellationToken">Stops training after the current batch; a checkpoint of the last finished step is saved first.</param>
    /// <returns>Where the trained ControlNet, the last checkpoint and the logs are.</returns>
    /// <exception cref="InvalidInputException">Bad options or data (missing or mismatched frames, sequences too short, crops larger than the frames).</exception>
    /// <exception cref="ModelLoadException">A model, ControlNet (another architecture included) or checkpoint cannot be loaded.</exception>
    /// <exception cref="TrainingDivergedException">The loss or gradient norm became NaN or infinite; the last good checkpoint is kept.</exception>
    /// <exception cref="TrainingCanceledException">Cancelled; the state was checkpointed.</exception>
    /// <exception cref="CheckpointWriteException">A checkpoint could not be written (disk full); the previous one is intact.</exception>
    /// <exception cref="NativeBackendException">The backend or the requested device is not available.</exception>
    public static async Task<TrainingResult> TrainAsync(
        TrainingOptions options,
        IProgress<TrainingProgress>? progress = null,
        ILoggerFactory? loggerFactory = null,
        HubOptions? hubOptions = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        loggerFactory ??= NullLoggerFactory.Instance;
        hubOptions ??= HubOptions.FromEnvironment();
        var model = await CheckpointResolver.ResolveModelAsync(options.Model, hubOptions, loggerFactory, null, cancellationToken).ConfigureAwait(false);
        var raft = await CheckpointResolver.ResolveRaftAsync(options.Raft, hubOptions, loggerFactory, null, cancellationToken).ConfigureAwait(false);

        // libtorch's autograd and no-grad state are per thread: the whole run stays on one dedicated thread.
        return await Task.Factory.StartNew(
            () =>
            {
                using var session = new TrainingSession(options, model, raft, loggerFactory);
                return session.Run(progress, cancellationToken);
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default).ConfigureAwait(false);
    }
}
