using System.CommandLine;
using Microsoft.Extensions.Logging;
using StableVsr.IO;
using StableVsr.Models.Loading;
using StableVsr.Sampling.Pipeline;
using StableVsr.Sampling.Resume;

namespace StableVsr.Cli.Commands;

/// <summary>
/// <c>stablevsr upscale</c>: the main job. Upscales a folder of frames, or a folder of sequences (one subfolder per
/// sequence, as StableVSR's test script takes them), writing PNGs named after the input files.
/// </summary>
internal static class UpscaleCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var input = new Option<FileSystemInfo>("--input", "-i") { Description = "Folder of LR frames (PNG/JPEG/BMP), or of subfolders, one sequence each.", Required = true };
        var output = new Option<FileSystemInfo>("--output", "-o") { Description = "Folder for the upscaled PNG frames (created if needed).", Required = true };
        var model = new Option<string>("--model", "-m") { Description = "Model folder in diffusers layout, or a Hugging Face id (owner/name[@revision]).", DefaultValueFactory = _ => ModelSource.DefaultModel };
        var raft = new Option<string?>("--raft") { Description = "RAFT-large weights (.pth or .safetensors); default: torchvision's raft_large_C_T_SKHT_V2 through the torch hub cache." };
        var steps = new Option<int>("--steps") { Description = "Denoising steps.", DefaultValueFactory = _ => UpscaleOptions.Default.Steps };
        var seed = new Option<long>("--seed") { Description = "Noise seed.", DefaultValueFactory = _ => UpscaleOptions.Default.Seed };
        var device = new Option<string>("--device") { Description = "auto, cpu, cuda or cuda:N.", DefaultValueFactory = _ => UpscaleOptions.Default.Device.ToString() };
        var scheduler = new Option<SchedulerChoice>("--scheduler") { Description = "checkpoint (the model's own scheduler_config.json: DDPM for StableVSR), ddpm or ddim.", DefaultValueFactory = _ => SchedulerChoice.Checkpoint };
        var ddimEta = new Option<double>("--ddim-eta") { Description = "DDIM's eta (0: deterministic); only with --scheduler ddim.", DefaultValueFactory = _ => 0.0 };
        var precision = new Option<DenoiserPrecision>("--precision") { Description = "UNet and ControlNet precision: float32 (exact), float16 (CUDA only) or bfloat16; the VAE stays float32.", DefaultValueFactory = _ => DenoiserPrecision.Float32 };
        var raftNorm = new Option<RaftNormStatistics>("--raft-norm") { Description = "RAFT's BatchNorm statistics: persample (StableVSR's test.py, its published results) or running (torchvision's eval mode).", DefaultValueFactory = _ => UpscaleOptions.Default.RaftNormalization };
        var halfFlows = new Option<bool>("--half-flows") { Description = "Keep optical flows in float16 (halves the largest per-frame state)." };
        var stateDevice = new Option<string?>("--state-device") { Description = "Where per-frame state lives (e.g. cpu to keep GPU memory flat in sequence length); default: the compute device." };
        var vaeTile = new Option<int?>("--vae-tile") { Description = "Decode in overlapping tiles of this many latent pixels (approximate; for frames too large to decode whole)." };
        var sequenceBatch = new Option<int>("--sequence-batch") { Description = "Sequences of one size sampled together when the input holds several (faster for short sequences; such runs are not resumable and hold whole sequences in memory).", DefaultValueFactory = _ => 1 };
        var window = new Option<int>("--window") { Description = "Frames sampled together as one window; each window's frames are written as soon as it is done.", DefaultValueFactory = _ => UpscaleOptions.Default.WindowSize };
        var independentWindows = new Option<bool>("--independent-windows") { Description = "Sample windows independently instead of carrying the temporal guidance across their boundaries." };
        var resume = new Option<bool>("--resume") { Description = "Continue an interrupted run after its last finished window (byte-identical to an uninterrupted run)." };
        var restart = new Option<bool>("--restart") { Description = "Discard an interrupted run's journal and start over." };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace an existing output." };
        var threads = new Option<int?>("--threads") { Description = "CPU threads for libtorch (default: libtorch's choice)." };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Log loading and timing details." };

        var command = new Command("upscale", "Upscale a sequence (or a folder of sequences) 4x with StableVSR.")
        {
            input, output, model, raft, steps, seed, device, scheduler, ddimEta, precision, raftNorm, halfFlows, stateDevice, vaeTile, sequenceBatch, window, independentWindows, resume, restart, overwrite, threads, verbose,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var options = UpscaleOptions.Default with
            {
                Steps = result.GetValue(steps),
                Seed = result.GetValue(seed),
                Device = ComputeDevice.Parse(result.GetValue(device)!),
                Scheduler = result.GetValue(scheduler) switch
                {
                    SchedulerChoice.Ddpm => new DdpmSchedulerOptions(),
                    SchedulerChoice.Ddim => new DdimSchedulerOptions { Eta = result.GetValue(ddimEta) },
                    _ => null,
                },
                Precision = result.GetValue(precision) switch
                {
                    DenoiserPrecision.Float16 => PrecisionPolicy.HalfOnGpu,
                    DenoiserPrecision.BFloat16 => PrecisionPolicy.BFloat16Denoiser,
                    _ => PrecisionPolicy.Float32,
                },
                RaftNormalization = result.GetValue(raftNorm),
                HalfPrecisionFlows = result.GetValue(halfFlows),
                StateDevice = result.GetValue(stateDevice) is { } state ? ComputeDevice.Parse(state) : null,
                VaeTileSize = result.GetValue(vaeTile),
                SequenceBatchSize = result.GetValue(sequenceBatch),
                WindowSize = result.GetValue(window),
                GuideAcrossWindows = !result.GetValue(independentWindows),
                CpuThreads = result.GetValue(threads),
            };
            var source = new ModelSource(result.GetValue(model)!, result.GetValue(raft));
            var run = new RunSettings(
                result.GetValue(resume) ? ResumeMode.Resume : result.GetValue(restart) ? ResumeMode.Restart : ResumeMode.New,
                result.GetValue(overwrite),
                result.GetValue(verbose));
            if (result.GetValue(resume) && result.GetValue(restart))
            {
                return CommandFailures.Report(new InvalidInputException("--resume and --restart exclude each other: give one."));
            }

            return await RunAsync(result.GetValue(input)!, result.GetValue(output)!, source, options, run, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> RunAsync(FileSystemInfo input, FileSystemInfo output, ModelSource source, UpscaleOptions options, RunSettings run, CancellationToken cancellationToken)
    {
        using var loggerFactory = LoggerFactory.Create(b => b
            .AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; })
            .SetMinimumLevel(run.Verbose ? LogLevel.Debug : LogLevel.Warning));
        try
        {
            options.Validate();
            var sequences = FindSequences(input.FullName, output.FullName);
            var todo = sequences.Where(s => !SequenceOutput.IsComplete(s.Output, run)).ToArray();
            foreach (var (sequenceInput, sequenceOutput) in todo)
            {
                SequenceOutput.CheckWritable(sequenceInput, sequenceOutput, run);
            }

            if (todo.Length < sequences.Count)
            {
                Console.Error.WriteLine($"{sequences.Count - todo.Length} sequence(s) already complete, skipped.");
            }

            if (todo.Length == 0)
            {
                return ExitCodes.Ok;
            }

            Console.Error.WriteLine($"Loading {source.Model} ...");
            var loader = new StableVsrModelLoader(loggerFactory);
            var models = await loader.LoadAsync(source, options.Device, options.Precision, new ConsoleDownloadProgress(Console.Error), cancellationToken).ConfigureAwait(false);
            using var pipeline = new StableVsrPipeline(models, options, loggerFactory.CreateLogger<StableVsrPipeline>());
            if (todo.Length > 1 && options.SequenceBatchSize > 1)
            {
                await UpscaleBatchedAsync(pipeline, todo, options.SequenceBatchSize, cancellationToken).ConfigureAwait(false);
                return ExitCodes.Ok;
            }

            // One sequence at a time, streamed window by window into its output, with a journal beside it so that an
            // interrupted run can be resumed.
            foreach (var (sequenceInput, sequenceOutput) in todo)
            {
                await using var frames = new ImageFolderSource(sequenceInput);
                await using var sink = new ImageFolderSink(sequenceOutput);
                var bar = new ConsoleProgressBar(Console.Error, !Console.IsErrorRedirected, Path.GetFileName(sequenceInput), frames.FrameCount);
                var journal = new JournalOptions(JournalOptions.ForOutput(sequenceOutput, outputIsFolder: true), run.Mode);
                var written = await pipeline.UpscaleResumableAsync(frames, sink, journal, bar, cancellationToken).ConfigureAwait(false);
                Console.Error.WriteLine($"wrote {written} frame(s) to {sequenceOutput}");
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

    // Several short sequences sampled together: faster, but each batch is read whole and written at the end.
    private static async Task UpscaleBatchedAsync(StableVsrPipeline pipeline, IReadOnlyList<(string Input, string Output)> sequences, int batchSize, CancellationToken cancellationToken)
    {
        foreach (var batch in sequences.Chunk(batchSize))
        {
            var frames = new List<IReadOnlyList<VideoFrame>>();
            foreach (var (sequenceInput, _) in batch)
            {
                frames.Add(await ReadSequenceAsync(sequenceInput, cancellationToken).ConfigureAwait(false));
            }

            var label = string.Join(", ", batch.Select(c => Path.GetFileName(c.Input)));
            var bar = new ConsoleProgressBar(Console.Error, !Console.IsErrorRedirected, label, null);
            var upscaled = await pipeline.UpscaleSequencesAsync(frames, bar, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < batch.Length; i++)
            {
                await using var sink = new ImageFolderSink(batch[i].Output);
                foreach (var frame in upscaled[i])
                {
                    await sink.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
                }

                await sink.CompleteAsync(cancellationToken).ConfigureAwait(false);
                Console.Error.WriteLine($"{Path.GetFileName(batch[i].Input)}: wrote {upscaled[i].Count} frame(s) to {batch[i].Output}");
            }
        }
    }

    private static async Task<IReadOnlyList<VideoFrame>> ReadSequenceAsync(string folder, CancellationToken cancellationToken)
    {
        var frames = new List<VideoFrame>();
        await using var source = new ImageFolderSource(folder);
        await foreach (var frame in source.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            frames.Add(frame);
        }

        return frames;
    }

    /// <summary>
    /// The sequences to process: the input folder itself when it holds frames, else each subfolder that holds frames
    /// (written to a subfolder of the same name).
    /// </summary>
    internal static IReadOnlyList<(string Input, string Output)> FindSequences(string input, string output)
    {
        if (!Directory.Exists(input))
        {
            throw new InvalidInputException($"Input folder '{input}' does not exist.");
        }

        if (ImageFolderSource.HoldsFrames(input))
        {
            return [(input, output)];
        }

        var sequences = Directory.GetDirectories(input)
            .Where(d => !Path.GetFileName(d).StartsWith('.'))
            .Where(ImageFolderSource.HoldsFrames)
            .OrderBy(d => Path.GetFileName(d), NaturalSortComparer.Instance)
            .Select(d => (d, Path.Combine(output, Path.GetFileName(d))))
            .ToArray();
        if (sequences.Length == 0)
        {
            throw new InvalidInputException(
                $"Input folder '{input}' holds no frames and no subfolders with frames: give a folder of PNG/JPEG/BMP frames, or a folder of such folders (one per sequence).");
        }

        return sequences;
    }
}
