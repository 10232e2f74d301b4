using System.CommandLine;
using StableVsr.IO;
using StableVsr.Orleans;
using StableVsr.Sampling.Jobs;

namespace StableVsr.Cli.Commands;

/// <summary>
/// <c>stablevsr submit</c>: submits a job to a cluster (the sequences of each input, planned as <c>stablevsr upscale</c>
/// plans them) and follows it with a progress bar until it is done (exit 0) or failed (exit 5).
/// </summary>
internal static class SubmitCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var cluster = ClusterCommandSupport.ClusterOption();
        var inputs = new Option<string[]>("--input", "-i") { Description = "A video, a folder of frames or a folder of sequences (repeat for several), on storage every worker sees.", Required = true, AllowMultipleArgumentsPerToken = true };
        var output = new Option<string>("--output", "-o") { Description = "The output (as for upscale); with several inputs, a folder that gets one entry per input.", Required = true };
        var steps = new Option<int>("--steps") { Description = "Denoising steps.", DefaultValueFactory = _ => SamplingOptions.Default.Steps };
        var raftIterations = new Option<int>("--raft-iterations") { Description = "RAFT's flow refinement iterations (12, the reference's; fewer are faster and give coarser flows).", DefaultValueFactory = _ => SamplingOptions.Default.RaftIterations };
        var seed = new Option<long>("--seed") { Description = "Noise seed.", DefaultValueFactory = _ => SamplingOptions.Default.Seed };
        var window = new Option<int>("--window") { Description = "Frames sampled together as one window.", DefaultValueFactory = _ => SamplingOptions.Default.WindowSize };
        var codec = new Option<VideoCodec>("--codec") { Description = "Video output codec: h264 (default), h265, or ffv1.", DefaultValueFactory = _ => VideoCodec.H264 };
        var crf = new Option<int?>("--crf") { Description = "Video quality for h264/h265 (0-51)." };
        var attempts = new Option<int>("--max-attempts") { Description = "Starts of a segment before the job gives up on it.", DefaultValueFactory = _ => UpscaleJobOptions.Default.MaxAttempts };
        var maxSegment = new Option<int?>("--max-segment-frames") { Description = "Split each sequence into segments of at most this many frames, run on several workers at once (frame-folder outputs only)." };
        var segmentOverlap = new Option<int>("--segment-overlap") { Description = "Warm-up frames sampled (not written) before a segment that starts inside a shot.", DefaultValueFactory = _ => UpscaleJobOptions.Default.SegmentOverlap };
        var sceneCuts = new Option<bool>("--scene-cuts") { Description = "Start a new segment (with no warm-up) at each scene cut found on the LR frames (frame-folder outputs only)." };
        var job = new Option<string?>("--job") { Description = "The job id (default: a new one); submitting again under an id follows that job." };
        var detach = new Option<bool>("--detach") { Description = "Print the job id and return without following it." };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Log the client's connection." };
        var command = new Command("submit", "Submit an upscaling job to a cluster of workers and follow it.")
        {
            cluster, inputs, output, steps, raftIterations, seed, window, codec, crf, attempts, maxSegment, segmentOverlap, sceneCuts, job, detach, verbose,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            try
            {
                var options = UpscaleJobOptions.Default with
                {
                    Sampling = SamplingOptions.Default with { Steps = result.GetValue(steps), RaftIterations = result.GetValue(raftIterations), Seed = result.GetValue(seed), WindowSize = result.GetValue(window) },
                    Codec = result.GetValue(codec),
                    Crf = result.GetValue(crf),
                    MaxAttempts = result.GetValue(attempts),
                    MaxSegmentFrames = result.GetValue(maxSegment),
                    SegmentOverlap = result.GetValue(segmentOverlap),
                    SplitAtSceneCuts = result.GetValue(sceneCuts),
                };
                options.Validate();
                var sequences = Plan(result.GetValue(inputs)!, result.GetValue(output)!, options.Codec);
                return await ClusterCommandSupport.WithClientAsync(
                    result.GetValue(cluster)!,
                    result.GetValue(verbose),
                    async client =>
                    {
                        var id = await client.SubmitAsync(sequences, options, result.GetValue(job), cancellationToken).ConfigureAwait(false);
                        Console.Out.WriteLine(id);
                        if (result.GetValue(detach))
                        {
                            return ExitCodes.Ok;
                        }

                        return await FollowAsync(client, id, cancellationToken).ConfigureAwait(false);
                    },
                    cancellationToken).ConfigureAwait(false);
            }
            catch (StableVsrException e)
            {
                return CommandFailures.Report(e);
            }
        });
        return command;
    }

    /// <summary>Follows a job to its end with a progress bar, prints it and returns its exit code.</summary>
    internal static async Task<int> FollowAsync(UpscaleClusterClient client, string jobId, CancellationToken cancellationToken)
    {
        try
        {
            var status = await client.WaitAsync(jobId, new ConsoleJobProgress(Console.Error, !Console.IsErrorRedirected), cancellationToken: cancellationToken).ConfigureAwait(false);
            ClusterCommandSupport.Print(Console.Error, status);
            return ClusterCommandSupport.ExitCodeOf(status);
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine();
            Console.Error.WriteLine($"Stopped following; the job goes on (stablevsr status {jobId} --follow).");
            return ExitCodes.Canceled;
        }
    }

    /// <summary>
    /// The job's sequences: the inputs discovered exactly as <c>stablevsr upscale</c> discovers them (the job layer's
    /// <see cref="UpscaleJob.Discover(IReadOnlyList{string}, string, VideoCodec)"/>).
    /// </summary>
    internal static IReadOnlyList<SequenceJob> Plan(IReadOnlyList<string> inputs, string output, VideoCodec codec) =>
        UpscaleJob.Discover(inputs, output, codec).Select(j => new SequenceJob(j.Input, j.Output)).ToArray();
}
