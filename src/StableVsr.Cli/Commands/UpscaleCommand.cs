using System.CommandLine;
using Microsoft.Extensions.Logging;
using StableVsr.IO;
using StableVsr.Models.Loading;
using StableVsr.Sampling.Pipeline;
using StableVsr.Sampling.Resume;
using StableVsr.Sampling.Segments;

namespace StableVsr.Cli.Commands;

/// <summary>
/// <c>stablevsr upscale</c>: the main job. Upscales a video file, a folder of frames, or a folder of sequences (videos
/// and subfolders of frames, as StableVSR's test script takes them), into videos or PNG frames named after the input.
/// Each sequence streams window by window into its output with a journal beside it, so an interrupted run resumes.
/// </summary>
internal static class UpscaleCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var input = new Option<FileSystemInfo>("--input", "-i") { Description = "A video file, a folder of LR frames (PNG/JPEG/BMP), or a folder of such folders and videos.", Required = true };
        var output = new Option<FileSystemInfo>("--output", "-o") { Description = "A video file (.mp4, .mkv, .mov, .m4v) or a folder for PNG frames (a folder for several sequences).", Required = true };
        var model = new Option<string>("--model", "-m") { Description = "Model folder in diffusers layout, or a Hugging Face id (owner/name[@revision]).", DefaultValueFactory = _ => ModelSource.DefaultModel };
        var controlNet = new Option<string?>("--controlnet") { Description = "ControlNet folder (config.json + weights) replacing the model's controlnet/, e.g. a checkpoint written by 'stablevsr train'." };
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
        var codec = new Option<VideoCodec>("--codec") { Description = "Video output codec: h264 (default), h265, or ffv1 (lossless, .mkv).", DefaultValueFactory = _ => VideoCodec.H264 };
        var crf = new Option<int?>("--crf") { Description = "Video quality for h264/h265 (0-51, lower is better; default 18 for h264, 22 for h265)." };
        var window = new Option<int>("--window") { Description = "Frames sampled together as one window; each window's frames are written as soon as it is done.", DefaultValueFactory = _ => UpscaleOptions.Default.WindowSize };
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
            input, output, model, controlNet, raft, steps, seed, device, scheduler, ddimEta, precision, raftNorm, halfFlows, stateDevice, vaeTile, sequenceBatch, codec, crf, window, independentWindows, resume, restart, overwrite, threads, verbose,
            maxSegment, segmentOverlap, sceneCuts,
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
            var source = new ModelSource(result.GetValue(model)!, result.GetValue(raft)) { ControlNet = result.GetValue(controlNet) };
            var run = new RunSettings(
                result.GetValue(resume) ? ResumeMode.Resume : result.GetValue(restart) ? ResumeMode.Restart : ResumeMode.New,
                result.GetValue(overwrite),
                result.GetValue(verbose));
            if (result.GetValue(resume) && result.GetValue(restart))
            {
                return CommandFailures.Report(new InvalidInputException("--resume and --restart exclude each other: give one."));
            }

            var encoding = VideoEncodeOptions.Default with { Codec = result.GetValue(codec), Crf = result.GetValue(crf) };
            var segmenting = SegmentOptions.None with
            {
                MaxSegmentFrames = result.GetValue(maxSegment),
                Overlap = result.GetValue(segmentOverlap),
                SplitAtSceneCuts = result.GetValue(sceneCuts),
            };
            return await RunAsync(result.GetValue(input)!, result.GetValue(output)!, source, options, run, encoding, segmenting, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> RunAsync(FileSystemInfo input, FileSystemInfo output, ModelSource source, UpscaleOptions options, RunSettings run, VideoEncodeOptions encoding, SegmentOptions segmenting, CancellationToken cancellationToken)
    {
        using var loggerFactory = LoggerFactory.Create(b => b
            .AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; })
            .SetMinimumLevel(run.Verbose ? LogLevel.Debug : LogLevel.Warning));
        try
        {
            options.Validate();
            segmenting.Validate();
            var sequences = FindSequences(input.FullName, output.FullName, encoding.Codec);
            if (segmenting.Splits && sequences.FirstOrDefault(s => s.OutputIsVideo) is { } video)
            {
                throw new InvalidInputException(
                    $"--max-segment-frames and --scene-cuts split sequences into segments for frame-folder outputs, and '{video.Output}' is a video: give a folder output (PNG frames), or leave out the splitting.");
            }

            var todo = sequences.Where(s => !SequenceOutput.IsComplete(s, run)).ToArray();
            foreach (var plan in todo)
            {
                SequenceOutput.CheckWritable(plan, run);
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
                if (todo.Any(p => p.InputIsVideo || p.OutputIsVideo))
                {
                    throw new InvalidInputException("--sequence-batch batches folders of frames only; upscale videos one at a time (the default --sequence-batch 1).");
                }

                await UpscaleBatchedAsync(pipeline, todo, options.SequenceBatchSize, cancellationToken).ConfigureAwait(false);
                return ExitCodes.Ok;
            }

            // One sequence at a time, streamed window by window into its output, with a journal beside it so that an
            // interrupted run can be resumed.
            foreach (var plan in todo)
            {
                if (segmenting.Splits)
                {
                    await SegmentedUpscale.RunAsync(pipeline, plan, run, segmenting, loggerFactory, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await UpscaleOneAsync(pipeline, plan, run, encoding, loggerFactory, cancellationToken).ConfigureAwait(false);
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

    internal static async Task UpscaleOneAsync(StableVsrPipeline pipeline, SequencePlan plan, RunSettings run, VideoEncodeOptions encoding, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        IFrameSource source = plan.InputIsVideo ? new VideoFileSource(plan.Input, loggerFactory.CreateLogger<VideoFileSource>()) : new ImageFolderSource(plan.Input);
        await using (source.ConfigureAwait(false))
        {
            int? frameCount = source is VideoFileSource video ? (await video.ProbeAsync(cancellationToken).ConfigureAwait(false)).FrameCount : source.FrameCount;
            if (plan.OutputIsVideo)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(plan.Output))!);
            }

            IFrameSink sink = plan.OutputIsVideo
                ? new VideoFileSink(plan.Output, plan.JournalFolder, encoding with { SourceVideo = plan.InputIsVideo ? plan.Input : null }, loggerFactory.CreateLogger<VideoFileSink>())
                : new ImageFolderSink(plan.Output);
            await using (sink.ConfigureAwait(false))
            {
                var bar = new ConsoleProgressBar(Console.Error, !Console.IsErrorRedirected, Path.GetFileName(plan.Input), frameCount);
                var written = await pipeline.UpscaleResumableAsync(source, sink, new JournalOptions(plan.JournalFolder, run.Mode), bar, cancellationToken).ConfigureAwait(false);
                Console.Error.WriteLine($"wrote {written} frame(s) to {plan.Output}");
            }
        }
    }

    // Several short sequences sampled together: faster, but each batch is read whole and written at the end.
    private static async Task UpscaleBatchedAsync(StableVsrPipeline pipeline, IReadOnlyList<SequencePlan> sequences, int batchSize, CancellationToken cancellationToken)
    {
        foreach (var batch in sequences.Chunk(batchSize))
        {
            var frames = new List<IReadOnlyList<VideoFrame>>();
            foreach (var plan in batch)
            {
                frames.Add(await ReadSequenceAsync(plan.Input, cancellationToken).ConfigureAwait(false));
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
    /// The sequences to process. The input is a video file, a folder of frames, or a folder of sequences (subfolders of
    /// frames and video files). A video input goes to a video output when the output has a video extension (.mp4,
    /// .mkv, ...), else to a folder of PNGs; in a folder of sequences, each video goes to a video of the same name in the
    /// output folder (.mkv for the lossless codec) and each subfolder of frames to a subfolder.
    /// </summary>
    internal static IReadOnlyList<SequencePlan> FindSequences(string input, string output, VideoCodec codec)
    {
        if (File.Exists(input))
        {
            return SequencePlan.IsVideo(input, SequencePlan.VideoExtensions)
                ? [new SequencePlan(input, output)]
                : throw new InvalidInputException($"Input '{input}' is a file but not a video ({string.Join(", ", SequencePlan.VideoExtensions)}); give a video, a folder of frames or a folder of sequences.");
        }

        if (!Directory.Exists(input))
        {
            throw new InvalidInputException($"Input '{input}' does not exist.");
        }

        if (ImageFolderSource.HoldsFrames(input))
        {
            return [new SequencePlan(input, output)];
        }

        if (SequencePlan.IsVideo(output, SequencePlan.OutputVideoExtensions))
        {
            throw new InvalidInputException($"The output '{output}' is a video file, but the input '{input}' holds several sequences: give an output folder.");
        }

        var folders = Directory.GetDirectories(input)
            .Where(d => !Path.GetFileName(d).StartsWith('.'))
            .Where(ImageFolderSource.HoldsFrames)
            .Select(d => new SequencePlan(d, Path.Combine(output, Path.GetFileName(d))));
        var videos = Directory.GetFiles(input)
            .Where(f => !Path.GetFileName(f).StartsWith('.') && SequencePlan.IsVideo(f, SequencePlan.VideoExtensions))
            .Select(f => new SequencePlan(f, Path.Combine(output, Path.GetFileNameWithoutExtension(f) + OutputExtension(f, codec))));
        var sequences = folders.Concat(videos).OrderBy(p => Path.GetFileName(p.Input), NaturalSortComparer.Instance).ToArray();
        if (sequences.Length == 0)
        {
            throw new InvalidInputException(
                $"Input folder '{input}' holds no frames, no video and no subfolder with frames: give a video, a folder of PNG/JPEG/BMP frames, or a folder of such folders and videos.");
        }

        return sequences;
    }

    // A folder of videos keeps each video's container, except where the codec needs another (FFV1 lives in Matroska).
    private static string OutputExtension(string inputVideo, VideoCodec codec)
    {
        var extension = Path.GetExtension(inputVideo).ToLowerInvariant();
        return codec == VideoCodec.Ffv1 ? ".mkv" : SequencePlan.OutputVideoExtensions.Contains(extension) ? extension : ".mp4";
    }
}
