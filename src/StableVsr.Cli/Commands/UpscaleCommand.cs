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
        var raft = new Option<string?>("--raft") { Description = "RAFT-large weights (.pth or .safetensors); default: torchvision's raft_large_C_T_SKHT_V2 through the torch hub cache." };
        var steps = new Option<int>("--steps") { Description = "Denoising steps.", DefaultValueFactory = _ => UpscaleOptions.Default.Steps };
        var seed = new Option<long>("--seed") { Description = "Noise seed.", DefaultValueFactory = _ => UpscaleOptions.Default.Seed };
        var device = new Option<string>("--device") { Description = "auto, cpu, cuda or cuda:N.", DefaultValueFactory = _ => UpscaleOptions.Default.Device };
        var scheduler = new Option<SchedulerKind>("--scheduler") { Description = "ddpm (StableVSR's) or ddim.", DefaultValueFactory = _ => SchedulerKind.Ddpm };
        var half = new Option<bool>("--half") { Description = "Run UNet and ControlNet in float16 (CUDA only); the VAE stays float32." };
        var threads = new Option<int?>("--threads") { Description = "CPU threads for libtorch (default: libtorch's choice)." };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Log loading and timing details." };

        var command = new Command("upscale", "Upscale a clip (or a folder of clips) 4x with StableVSR.")
        {
            input, output, model, raft, steps, seed, device, scheduler, half, threads, verbose,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var options = UpscaleOptions.Default with
            {
                Steps = result.GetValue(steps),
                Seed = result.GetValue(seed),
                Device = result.GetValue(device)!,
                Scheduler = result.GetValue(scheduler),
                Precision = result.GetValue(half) ? PrecisionPolicy.HalfOnGpu : PrecisionPolicy.Float32,
                CpuThreads = result.GetValue(threads),
            };
            var source = new PipelineSource(result.GetValue(model)!, result.GetValue(raft));
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
            foreach (var (clipInput, clipOutput) in clips)
            {
                var name = Path.GetFileName(clipInput);
                var bar = new ConsoleProgressBar(Console.Error, !Console.IsErrorRedirected, name);
                var written = await pipeline.UpscaleFolderAsync(clipInput, clipOutput, bar, cancellationToken).ConfigureAwait(false);
                Console.Error.WriteLine($"{name}: wrote {written.Count} frame(s) to {clipOutput}");
            }

            return ExitCodes.Ok;
        }
        catch (StableVsrException e)
        {
            return CommandFailures.Report(e);
        }
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
