using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TorchSharp;

namespace StableVsr.Orleans.Workers;

/// <summary>Runners over <see cref="Sampling.Pipeline.StableVsrPipeline"/>, one per device of <see cref="StableVsrWorkerOptions"/>.</summary>
internal sealed class PipelineRunnerFactory(IOptions<StableVsrWorkerOptions> options, ILoggerFactory loggerFactory) : ISegmentRunnerFactory
{
    /// <inheritdoc />
    public IReadOnlyList<ComputeDevice> Devices => options.Value.Devices.Count > 0 ? options.Value.Devices : LocalDevices();

    /// <inheritdoc />
    public async Task<ISegmentRunner> CreateAsync(ComputeDevice device, CancellationToken cancellationToken) =>
        await PipelineSegmentRunner.CreateAsync(options.Value, device, loggerFactory, cancellationToken).ConfigureAwait(false);

    // Every GPU, each with its own pipeline; the CPU when there is none (one pipeline: it already uses every core).
    private static ComputeDevice[] LocalDevices() =>
        torch.cuda.is_available() ? Enumerable.Range(0, torch.cuda.device_count()).Select(i => ComputeDevice.Cuda(i)).ToArray() : [ComputeDevice.Cpu];
}
