using Microsoft.Extensions.Logging;
using StableVsr.Models.Loading;
using StableVsr.Sampling.Jobs;
using StableVsr.Sampling.Pipeline;
using StableVsr.Sampling.Resume;

namespace StableVsr.Orleans.Workers;

/// <summary>
/// Runs segments through the job layer on one device, exactly as <c>stablevsr upscale</c> runs one sequence: an
/// <see cref="UpscaleJob"/> from the sequence's frames or video into its staging output, resumed from its journal when
/// one is there (a frame range for a segment of a split sequence). The upscaler's options are fixed, so a job with
/// other sampling options reloads the model (jobs of one cluster usually share them).
/// </summary>
internal sealed class PipelineSegmentRunner : ISegmentRunner
{
    private readonly StableVsrModelLoader loader;
    private readonly ModelSource model;
    private readonly UpscaleOptions workerOptions;
    private readonly ILoggerFactory loggerFactory;
    private StableVsrPipeline pipeline;
    private UpscaleJobRunner runner;

    private PipelineSegmentRunner(StableVsrPipeline pipeline, StableVsrModelLoader loader, ModelSource model, UpscaleOptions workerOptions, ILoggerFactory loggerFactory)
    {
        this.pipeline = pipeline;
        this.loader = loader;
        this.model = model;
        this.workerOptions = workerOptions;
        this.loggerFactory = loggerFactory;
        runner = new UpscaleJobRunner(pipeline, loggerFactory);
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
        var options = workerOptions with { Sampling = work.Lease.Options.Sampling };
        if (options != pipeline.Options)
        {
            pipeline.Dispose();
            var models = await loader.LoadAsync(model, options.Device, options.Precision, cancellationToken: cancellationToken).ConfigureAwait(false);
            pipeline = new StableVsrPipeline(models, options, loggerFactory.CreateLogger<StableVsrPipeline>());
            runner = new UpscaleJobRunner(pipeline, loggerFactory);
        }

        var input = work.Lease.Sequence.Input;
        if (!File.Exists(input) && !Directory.Exists(input))
        {
            throw new InvalidInputException($"The input '{input}' does not exist (any more) on worker storage: every worker must see the job's inputs at the same path.");
        }

        var job = new UpscaleJob(input, work.Staging.StagingOutput)
        {
            Range = work.Lease.Range?.ToSequenceRange(),
            Resume = ResumeMode.Resume,
            WorkFolder = work.Staging.JournalFolder,
            Encoding = work.Lease.Options.ToEncodeOptions(),
        };
        var plan = await UpscaleJobRunner.PlanAsync(job, loggerFactory, cancellationToken).ConfigureAwait(false);
        return await runner.RunAsync(plan, null, (frames, token) => work.Committed(frames, plan.FrameCount, token), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        pipeline.Dispose();
        return ValueTask.CompletedTask;
    }
}
