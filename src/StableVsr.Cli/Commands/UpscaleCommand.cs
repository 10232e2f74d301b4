using System.CommandLine;
using Microsoft.Extensions.Logging;
using StableVsr.Imaging;
using StableVsr.Sampling.Pipeline;

namespace StableVsr.Cli.Commands;

/// <summary>
/// <c>stablevsr upscale</c>: the main job. Upscales a folder of frames, or a folder of sequences (one subfolder per
/// clip, as StableVSR's test script takes them), writing PNGs named after the input files.
/// </summary>
public static class UpscaleCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var input = new Option<DirectoryInfo>("--input", "-i") { Description = "Folder of LR frames (PNG/JPEG/BMP), or of subfolders, one clip each.", Required = true };
        var output = new Option<DirectoryInfo>("--output", "-o") { Description = "Folder for the upscaled PNG frames (created if needed).", Required = true };
        var model = new Option<string>("--model", "-m") { Description = "Model folder in diffusers layout, or a Hugging Face id (owner/name[@revision]).", DefaultValueFactory = _ => PipelineSource.DefaultModel };
        var controlNet = new Option<string?>("--controlnet") { Description = "ControlNet folder (config.json + weights) replacing the model's controlnet/, e.g. the output of 'stablevsr train'." };
        var raft = new Option<string?>("--raft") { Description = "RAFT-large weights (.pth or .safetensors); default: torchvision's raft_large_C_T_SKHT_V2 through the torch hub cache." };
        var steps = new Option<int>("--steps") { Description = "Denoising steps.", DefaultValueFactory = _ => UpscaleOptions.Default.Steps };
        var seed = new Option<long>("--seed") { Description = "Noise seed.", DefaultValueFactory = _ => UpscaleOptions.Default.Seed };
        var device = new Option<string>("--device") { Description = "auto, cpu, cuda or cuda:N.", DefaultValueFactory = _ => UpscaleOptions.Default.Device };
        var scheduler = new Option<SchedulerKind>("--scheduler") { Description = "ddpm (StableVSR's) or ddim.", DefaultValueFactory = _ => SchedulerKind.Ddpm };
        var precision = new Option<DenoiserPrecision>("--precision") { Description = "UNet and ControlNet precision: float32 (exact), float16 (CUDA only) or bfloat16; the VAE stays float32.", DefaultValueFactory = _ => DenoiserPrecision.Float32 };
        var raftNorm = new Option<RaftNormStatistics>("--raft-norm") { Description = "RAFT's BatchNorm statistics: persample (StableVSR's test.py, its published results) or running (torchvision's eval mode).", DefaultValueFactory = _ => UpscaleOptions.Default.RaftNormalization };
        var halfFlows = new Option<bool>("--half-flows") { Description = "Keep optical flows in float16 (halves the largest per-frame state)." };
        var stateDevice = new Option<string?>("--state-device") { Description = "Where per-frame state lives (e.g. cpu to keep GPU memory flat in clip length); default: the compute device." };
        var vaeTile = new Option<int?>("--vae-tile") { Description = "Decode in overlapping tiles of this many latent pixels (approximate; for frames too large to decode whole)." };
        var clipBatch = new Option<int>("--clip-batch") { Description = "Clips of one size sampled together when the input holds several clips.", DefaultValueFactory = _ => UpscaleOptions.Default.ClipBatchSize };
        var threads = new Option<int?>("--threads") { Description = "CPU threads for libtorch (default: libtorch's choice)." };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Log loading and timing details." };

        var command = new Command("upscale", "Upscale a clip (or a folder of clips) 4x with StableVSR.")
        {
            input, output, model, controlNet, raft, steps, seed, device, scheduler, precision, raftNorm, halfFlows, stateDevice, vaeTile, clipBatch, threads, verbose,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var options = UpscaleOptions.Default with
            {
                Steps = result.GetValue(steps),
                Seed = result.GetValue(seed),
                Device = result.GetValue(device)!,
                Scheduler = result.GetValue(scheduler),
                Precision = result.GetValue(precision) switch
                {
                    DenoiserPrecision.Float16 => PrecisionPolicy.HalfOnGpu,
                    DenoiserPrecision.BFloat16 => PrecisionPolicy.BFloat16Denoiser,
                    _ => PrecisionPolicy.Float32,
                },
                RaftNormalization = result.GetValue(raftNorm),
                HalfPrecisionFlows = result.GetValue(halfFlows),
                StateDevice = result.GetValue(stateDevice),
                VaeTileSize = result.GetValue(vaeTile),
                ClipBatchSize = result.GetValue(clipBatch),
                CpuThreads = result.GetValue(threads),
            };
            var source = new PipelineSource(result.GetValue(model)!, result.GetValue(raft)) { ControlNet = result.GetValue(controlNet) };
            return await RunAsync(result.GetValue(input)!, result.GetValue(output)!, source, options, result.GetValue(verbose), cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> RunAsync(DirectoryInfo input, DirectoryInfo output, PipelineSource source, UpscaleOptions options, bool verbose, CancellationToken cancellationToken)
    {
        using var loggerFactory = LoggerFactory.Create(b => b
            .AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; })
            .SetMinimumLevel(verbose ? LogLevel.Debug : LogLevel.Warning));
        try
        {
            var clips = FindClips(input.FullName, output.FullName);
            Console.Error.WriteLine($"Loading {source.Model} ...");
            using var pipeline = await StableVsrPipeline.LoadAsync(source, options, loggerFactory, downloadProgress: new ConsoleDownloadProgress(Console.Error), cancellationToken: cancellationToken).ConfigureAwait(false);
            if (clips.Count == 1)
            {
                var (clipInput, clipOutput) = clips[0];
                var bar = new ConsoleProgressBar(Console.Error, !Console.IsErrorRedirected, Path.GetFileName(clipInput));
                var written = await pipeline.UpscaleFolderAsync(clipInput, clipOutput, bar, cancellationToken).ConfigureAwait(false);
                Console.Error.WriteLine($"wrote {written.Count} frame(s) to {clipOutput}");
                return ExitCodes.Ok;
            }

            // Several clips: read a batch of them, sample clips of one size together, write each clip's frames.
            foreach (var batch in clips.Chunk(options.ClipBatchSize))
            {
                var frames = new List<IReadOnlyList<VideoFrame>>();
                foreach (var (clipInput, _) in batch)
                {
                    frames.Add(await ReadClipAsync(clipInput, cancellationToken).ConfigureAwait(false));
                }

                var label = string.Join(", ", batch.Select(c => Path.GetFileName(c.Input)));
                var bar = new ConsoleProgressBar(Console.Error, !Console.IsErrorRedirected, label);
                var upscaled = await pipeline.UpscaleClipsAsync(frames, bar, cancellationToken).ConfigureAwait(false);
                for (var i = 0; i < batch.Length; i++)
                {
                    var writer = new ImageFolderWriter(batch[i].Output);
                    foreach (var frame in upscaled[i])
                    {
                        await writer.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
                    }

                    Console.Error.WriteLine($"{Path.GetFileName(batch[i].Input)}: wrote {upscaled[i].Count} frame(s) to {batch[i].Output}");
                }
            }

            return ExitCodes.Ok;
        }
        catch (StableVsrException e)
        {
            return CommandFailures.Report(e);
        }
        catch (OperationCanceledException e)
        {
            return CommandFailures.Report(new UpscaleCanceledException("Cancelled while writing; every file written is complete.", e));
        }
    }

    private static async Task<IReadOnlyList<VideoFrame>> ReadClipAsync(string folder, CancellationToken cancellationToken)
    {
        var frames = new List<VideoFrame>();
        await foreach (var frame in ImageFolder.ReadFramesAsync(folder, cancellationToken).ConfigureAwait(false))
        {
            frames.Add(frame);
        }

        return frames;
    }

    /// <summary>
    /// The clips to process: the input folder itself when it holds frames, else each subfolder that holds frames
    /// (written to a subfolder of the same name).
    /// </summary>
    internal static IReadOnlyList<(string Input, string Output)> FindClips(string input, string output)
    {
        if (!Directory.Exists(input))
        {
            throw new InvalidInputException($"Input folder '{input}' does not exist.");
        }

        bool HasFrames(string folder) => Directory.EnumerateFiles(folder)
            .Any(f => ImageFolder.SupportedExtensions.Contains(Path.GetExtension(f).ToLowerInvariant()));

        if (HasFrames(input))
        {
            return [(input, output)];
        }

        var clips = Directory.GetDirectories(input)
            .Where(d => !Path.GetFileName(d).StartsWith('.'))
            .Where(HasFrames)
            .OrderBy(d => Path.GetFileName(d), NaturalSortComparer.Instance)
            .Select(d => (d, Path.Combine(output, Path.GetFileName(d))))
            .ToArray();
        if (clips.Length == 0)
        {
            throw new InvalidInputException(
                $"Input folder '{input}' holds no frames and no subfolders with frames: give a folder of PNG/JPEG/BMP frames, or a folder of such folders (one per clip).");
        }

        return clips;
    }
}
