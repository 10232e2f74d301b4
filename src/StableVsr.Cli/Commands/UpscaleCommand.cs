using System.CommandLine;
using Microsoft.Extensions.Logging;
using StableVsr.IO;
using StableVsr.Models.Loading;
using StableVsr.Sampling.Jobs;
using StableVsr.Sampling.Pipeline;
using StableVsr.Sampling.Resume;
using StableVsr.Sampling.Segments;

namespace StableVsr.Cli.Commands;

/// <summary>
/// <c>stablevsr upscale</c>: the main job. Upscales a video file, a folder of frames, or a folder of sequences (videos
/// and subfolders of frames, as StableVSR's test script takes them), into videos or PNG frames named after the input,
/// through the job layer (<see cref="UpscaleJobRunner"/>): each sequence streams window by window into its output with a
/// journal beside it, so an interrupted run resumes.
/// </summary>
internal static class UpscaleCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var input = new Option<FileSystemInfo>("--input", "-i") { Description = "A video file, a folder of LR frames (PNG/JPEG/BMP), or a folder of such folders and videos.", Required = true };
        var output = new Option<FileSystemInfo>("--output", "-o") { Description = $"A video file ({string.Join(", ", MediaPaths.VideoOutputExtensions)}) or a folder for PNG frames (a folder for several sequences).", Required = true };
        var model = new Option<string>("--model", "-m") { Description = "Model folder in diffusers layout, or a Hugging Face id (owner/name[@revision]).", DefaultValueFactory = _ => ModelSource.DefaultModel };
        var controlNet = new Option<string?>("--controlnet") { Description = "ControlNet folder (config.json + weights) replacing the model's controlnet/, e.g. a checkpoint written by 'stablevsr train'." };
        var raft = new Option<string?>("--raft") { Description = "RAFT-large weights (.pth or .safetensors); default: torchvision's raft_large_C_T_SKHT_V2 through the torch hub cache." };
        var steps = new Option<int>("--steps") { Description = "Denoising steps.", DefaultValueFactory = _ => SamplingOptions.Default.Steps };
        var seed = new Option<long>("--seed") { Description = "Noise seed.", DefaultValueFactory = _ => SamplingOptions.Default.Seed };
        var device = new Option<string>("--device") { Description = "auto, cpu, cuda or cuda:N.", DefaultValueFactory = _ => UpscaleOptions.Default.Device.ToString() };
        var scheduler = new Option<SchedulerChoice>("--scheduler") { Description = "checkpoint (the model's own scheduler_config.json: DDPM for StableVSR), ddpm or ddim.", DefaultValueFactory = _ => SchedulerChoice.Checkpoint };
        var ddimEta = new Option<double>("--ddim-eta") { Description = "DDIM's eta (0: deterministic); only with --scheduler ddim.", DefaultValueFactory = _ => 0.0 };
        var precision = new Option<DenoiserPrecision>("--precision") { Description = "UNet and ControlNet precision: float32 (exact), float16 (CUDA only) or bfloat16; the VAE stays float32.", DefaultValueFactory = _ => DenoiserPrecision.Float32 };
        var raftNorm = new Option<RaftNormStatistics>("--raft-norm") { Description = "RAFT's BatchNorm statistics: persample (StableVSR's test.py, its published results) or running (torchvision's eval mode).", DefaultValueFactory = _ => SamplingOptions.Default.RaftNormalization };
        var raftIterations = new Option<int>("--raft-iterations") { Description = "RAFT's flow refinement iterations (12, the reference's; fewer are faster on the CPU and give coarser flows).", DefaultValueFactory = _ => SamplingOptions.Default.RaftIterations };
        var halfFlows = new Option<bool>("--half-flows") { Description = "Keep optical flows in float16 (halves the largest per-frame state)." };
        var stateDevice = new Option<string?>("--state-device") { Description = "Where per-frame state lives (e.g. cpu to keep GPU memory flat in sequence length); default: the compute device." };
        var vaeTile = new Option<int?>("--vae-tile") { Description = "Decode in overlapping tiles of this many latent pixels (approximate; for frames too large to decode whole)." };
        var sequenceBatch = new Option<int>("--sequence-batch") { Description = "Sequences of one size sampled together when the input holds several (faster for short sequences; such runs are not resumable and hold whole sequences in memory).", DefaultValueFactory = _ => 1 };
        var codec = new Option<VideoCodec>("--codec") { Description = "Video output codec: h264 (default), h265, or ffv1 (lossless, .mkv).", DefaultValueFactory = _ => VideoCodec.H264 };
        var crf = new Option<int?>("--crf") { Description = "Video quality for h264/h265 (0-51, lower is better; default 18 for h264, 22 for h265)." };
        var window = new Option<int>("--window") { Description = "Frames sampled together as one window; each window's frames are written as soon as it is done.", DefaultValueFactory = _ => SamplingOptions.Default.WindowSize };
        var independentWindows = new Option<bool>("--independent-windows") { Description = "Sample windows independently instead of carrying the temporal guidance across their boundaries." };
        var resume = new Option<bool>("--resume") { Description = "Continue an interrupted run after its last finished window (byte-identical to an uninterrupted run)." };
        var restart = new Option<bool>("--restart") { Description = "Discard an interrupted run's journal and start over." };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace an existing output." };
        var threads = new Option<int?>("--threads") { Description = "CPU threads for libtorch (default: libtorch's choice)." };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Log loading and timing details." };
        var maxSegment = new Option<int?>("--max-segment-frames") { Description = "Split each sequence into segments of at most this many frames, upscaled one after the other as a cluster job split the same way would (frame-folder outputs only)." };
        var segmentOverlap = new Option<int>("--segment-overlap") { Description = "Warm-up frames sampled (not written) before a segment that starts inside a shot.", DefaultValueFactory = _ => SegmentOptions.None.Overlap };
        var sceneCuts = new Option<bool>("--scene-cuts") { Description = "Start a new segment (with no warm-up) at each scene cut found on the LR frames (frame-folder outputs only)." };

        var command = new Command("upscale", "Upscale a sequence (or a folder of sequences) 4x with StableVSR.")
        {
            input, output, model, controlNet, raft, steps, seed, device, scheduler, ddimEta, precision, raftNorm, raftIterations, halfFlows, stateDevice, vaeTile, sequenceBatch, codec, crf, window, independentWindows, resume, restart, overwrite, threads, verbose,
            maxSegment, segmentOverlap, sceneCuts,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var sampling = SamplingOptions.Default with
            {
                Steps = result.GetValue(steps),
                Seed = result.GetValue(seed),
                Scheduler = result.GetValue(scheduler) switch
                {
                    SchedulerChoice.Ddpm => new DdpmSchedulerOptions(),
                    SchedulerChoice.Ddim => new DdimSchedulerOptions { Eta = result.GetValue(ddimEta) },
                    _ => null,
                },
                RaftNormalization = result.GetValue(raftNorm),
                RaftIterations = result.GetValue(raftIterations),
                HalfPrecisionFlows = result.GetValue(halfFlows),
                VaeTileSize = result.GetValue(vaeTile),
                WindowSize = result.GetValue(window),
                GuideAcrossWindows = !result.GetValue(independentWindows),
            };
            if (result.GetValue(resume) && result.GetValue(restart))
            {
                return CommandFailures.Report(new InvalidInputException("--resume and --restart exclude each other: give one."));
            }

            try
            {
                var options = UpscaleOptions.Default with
                {
                    Sampling = sampling,
                    Device = ComputeDevice.Parse(result.GetValue(device)!),
                    Precision = result.GetValue(precision) switch
                    {
                        DenoiserPrecision.Float16 => PrecisionPolicy.HalfOnGpu,
                        DenoiserPrecision.BFloat16 => PrecisionPolicy.BFloat16Denoiser,
                        _ => PrecisionPolicy.Float32,
                    },
                    StateDevice = result.GetValue(stateDevice) is { } state ? ComputeDevice.Parse(state) : null,
                    SequenceBatchSize = result.GetValue(sequenceBatch),
                    CpuThreads = result.GetValue(threads),
                };
                var source = new ModelSource(result.GetValue(model), result.GetValue(raft)) { ControlNet = result.GetValue(controlNet) };
                var segmenting = SegmentOptions.None with
                {
                    MaxSegmentFrames = result.GetValue(maxSegment),
                    Overlap = result.GetValue(segmentOverlap),
                    SplitAtSceneCuts = result.GetValue(sceneCuts),
                };
                var template = new UpscaleJob(result.GetValue(input)!.FullName, result.GetValue(output)!.FullName)
                {
                    Resume = result.GetValue(resume) ? ResumeMode.Resume : result.GetValue(restart) ? ResumeMode.Restart : ResumeMode.New,
                    Overwrite = result.GetValue(overwrite),
                    Encoding = VideoEncodeOptions.Default with { Codec = result.GetValue(codec), Crf = result.GetValue(crf) },
                    Segments = segmenting.Splits ? segmenting : null,
                };
                return await RunAsync(template, source, options, result.GetValue(verbose), cancellationToken).ConfigureAwait(false);
            }
            catch (StableVsrException e)
            {
                return CommandFailures.Report(e);
            }
        });
        return command;
    }

    // Everything that needs no model is planned first (paths, outputs, frame counts, segments), so a run that cannot
    // work is refused before minutes of loading; then each sequence streams window by window into its output with a
    // journal beside it, so an interrupted run resumes.
    private static async Task<int> RunAsync(UpscaleJob template, ModelSource source, UpscaleOptions options, bool verbose, CancellationToken cancellationToken)
    {
        using var loggerFactory = LoggerFactory.Create(b => b
            .AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; })
            .SetMinimumLevel(verbose ? LogLevel.Debug : LogLevel.Warning));
        try
        {
            options.Validate();
            var jobs = UpscaleJob.Discover(template.Input, template.Output, template.Encoding!.Codec)
                .Select(j => template with { Input = j.Input, Output = j.Output })
                .ToArray();
            var plans = new List<UpscaleJobPlan>(jobs.Length);
            foreach (var job in jobs)
            {
                plans.Add(await UpscaleJobRunner.PlanAsync(job, loggerFactory, cancellationToken).ConfigureAwait(false));
            }

            var todo = plans.Where(p => !p.IsComplete).ToArray();
            if (todo.Length < plans.Count)
            {
                Console.Error.WriteLine($"{plans.Count - todo.Length} sequence(s) already complete, skipped.");
            }

            if (todo.Length == 0)
            {
                return ExitCodes.Ok;
            }

            var together = todo.Length > 1 && options.SequenceBatchSize > 1;
            if (together && todo.Any(p => p.InputIsVideo || p.OutputIsVideo))
            {
                throw new InvalidInputException("--sequence-batch batches folders of frames only; upscale videos one at a time (the default --sequence-batch 1).");
            }

            foreach (var plan in todo)
            {
                UpscaleJobRunner.EnsureFits(plan, options);
            }

            Console.Error.WriteLine($"Loading {source.Model} ...");
            var models = await new StableVsrModelLoader(loggerFactory)
                .LoadAsync(source, options.Device, options.Precision, new ConsoleDownloadProgress(Console.Error), cancellationToken).ConfigureAwait(false);
            using var upscaler = new StableVsrPipeline(models, options, loggerFactory.CreateLogger<StableVsrPipeline>());
            var runner = new UpscaleJobRunner(upscaler, loggerFactory);
            if (together)
            {
                // Several short sequences sampled together: faster, but each batch is read whole and written at its end.
                var bar = new ConsoleProgressBar(Console.Error, !Console.IsErrorRedirected, $"{todo.Length} sequences", null);
                var written = await runner.RunTogetherAsync(todo, bar, cancellationToken).ConfigureAwait(false);
                for (var i = 0; i < todo.Length; i++)
                {
                    Console.Error.WriteLine($"{Path.GetFileName(todo[i].Input)}: wrote {written[i]} frame(s) to {todo[i].Output}");
                }

                return ExitCodes.Ok;
            }

            foreach (var plan in todo)
            {
                if (plan.Segments.Count > 1)
                {
                    Console.Error.WriteLine($"{Path.GetFileName(plan.Input)}: {plan.Segments.Count} segments: {string.Join(", ", plan.Segments)}");
                }

                var bar = new ConsoleProgressBar(Console.Error, !Console.IsErrorRedirected, Path.GetFileName(plan.Input), plan.FrameCount);
                var written = await runner.RunAsync(plan, bar, null, cancellationToken).ConfigureAwait(false);
                Console.Error.WriteLine($"wrote {written} frame(s) to {plan.Output}");
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
}
