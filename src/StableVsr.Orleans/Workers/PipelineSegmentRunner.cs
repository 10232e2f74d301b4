using Microsoft.Extensions.Logging;
using StableVsr.IO;
using StableVsr.Models.Loading;
using StableVsr.Sampling.Pipeline;
using StableVsr.Sampling.Resume;

namespace StableVsr.Orleans.Workers;

/// <summary>
/// Runs segments with a <see cref="StableVsrPipeline"/> on one device, exactly as <c>stablevsr upscale</c> runs one
/// sequence: <see cref="StableVsrPipeline.UpscaleResumableAsync"/> from the sequence's frames or video into its (staging)
/// output with a journal, resumed when a journal is there (<see cref="StableVsrPipeline.UpscaleRangeAsync"/> for a
/// segment of a split sequence). A pipeline's options are fixed, so a job with other output
/// options reloads the model (jobs of one cluster usually share them).
/// </summary>
internal sealed class PipelineSegmentRunner : ISegmentRunner
{
    private readonly StableVsrModelLoader loader;
    private readonly ModelSource model;
    private readonly UpscaleOptions workerOptions;
    private readonly ILoggerFactory loggerFactory;
    private StableVsrPipeline pipeline;

    private PipelineSegmentRunner(StableVsrPipeline pipeline, StableVsrModelLoader loader, ModelSource model, UpscaleOptions workerOptions, ILoggerFactory loggerFactory)
    {
        this.pipeline = pipeline;
        this.loader = loader;
        this.model = model;
        this.workerOptions = workerOptions;
        this.loggerFactory = loggerFactory;
    }

    /// <inheritdoc />
    public string Device => workerOptions.Device.ToString();

    /// <inheritdoc />
    public string ModelFingerprint => pipeline.Models.Fingerprint;

    /// <summary>Loads the model on <paramref name="device"/>.</summary>
    /// <exception cref="ModelLoadException">The model cannot be loaded.</exception>
    public static async Task<PipelineSegmentRunner> CreateAsync(StableVsrWorkerOptions options, ComputeDevice device, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var workerOptions = UpscaleOptions.Default with { Device = device, Precision = options.Precision, CpuThreads = options.CpuThreads };
        var loader = new StableVsrModelLoader(loggerFactory);
        var models = await loader.LoadAsync(options.Model, device, options.Precision, cancellationToken: cancellationToken).ConfigureAwait(false);
        return new PipelineSegmentRunner(new StableVsrPipeline(models, workerOptions, loggerFactory.CreateLogger<StableVsrPipeline>()), loader, options.Model, workerOptions, loggerFactory);
    }

    /// <inheritdoc />
    public async Task<int> RunAsync(SegmentWork work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        var options = work.Lease.Options.ToUpscaleOptions(workerOptions);
        if (options != pipeline.Options)
        {
            pipeline.Dispose();
            var models = await loader.LoadAsync(model, options.Device, options.Precision, cancellationToken: cancellationToken).ConfigureAwait(false);
            pipeline = new StableVsrPipeline(models, options, loggerFactory.CreateLogger<StableVsrPipeline>());
        }

        var input = work.Lease.Sequence.Input;
        var inputIsVideo = File.Exists(input);
        if (!inputIsVideo && !Directory.Exists(input))
        {
            throw new InvalidInputException($"The input '{input}' does not exist (any more) on worker storage: every worker must see the job's inputs at the same path.");
        }

        IFrameSource source = inputIsVideo ? new VideoFileSource(input, loggerFactory.CreateLogger<VideoFileSource>()) : new ImageFolderSource(input);
        await using (source.ConfigureAwait(false))
        {
            int? frameCount = work.Lease.Range is { } range ? range.End - range.Start
                : source is VideoFileSource video ? (await video.ProbeAsync(cancellationToken).ConfigureAwait(false)).FrameCount
                : source.FrameCount;
            var staging = work.Staging;
            IFrameSink sink = staging.OutputIsVideo
                ? new VideoFileSink(staging.StagingOutput, staging.JournalFolder, work.Lease.Options.ToEncodeOptions() with { SourceVideo = inputIsVideo ? input : null }, loggerFactory.CreateLogger<VideoFileSink>())
                : new ImageFolderSink(staging.StagingOutput);
            await using var reporting = new ReportingSink(sink, (frames, token) => work.Committed(frames, frameCount, token));
            var journal = new JournalOptions(staging.JournalFolder, ResumeMode.Resume);
            return work.Lease.Range is { } segment
                ? await pipeline.UpscaleRangeAsync(source, reporting, segment.ToSequenceRange(), journal, cancellationToken: cancellationToken).ConfigureAwait(false)
                : await pipeline.UpscaleResumableAsync(source, reporting, journal, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        pipeline.Dispose();
        return ValueTask.CompletedTask;
    }
}
