using System.CommandLine;
using Microsoft.Extensions.Logging;
using StableVsr.Evaluation;
using StableVsr.Evaluation.Reporting;

namespace StableVsr.Cli.Commands;

/// <summary>
/// <c>stablevsr eval</c>: StableVSR's eval.py. Compares a folder of upscaled sequences with the ground truth (or, without
/// it, scores them with the no-reference metrics alone), prints eval.py's summary line on standard output, and writes
/// the optional HTML report, per-frame CSV and summary JSON. The output files are checked before anything is computed;
/// once computed, results are never lost: the line is printed first, and a file that cannot be written at its place
/// is saved in the temporary folder instead (exit code 8).
/// </summary>
public static class EvalCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var allNames = string.Join(", ", MetricInfo.All.Select(m => m.Name.ToLowerInvariant()));
        var output = new Option<DirectoryInfo>("--output", "-o") { Description = "Upscaled frames: root/sequence/frames (eval.py's --out_path), or one folder of frames.", Required = true };
        var groundTruth = new Option<DirectoryInfo?>("--gt", "-g") { Description = "Ground-truth frames in the same layout (eval.py's --gt_path). Without it only musiq, clip and niqe are computed." };
        var metrics = new Option<string?>("--metrics") { Description = $"Comma-separated metrics: {allNames} (default: all nine in eval.py's order with --gt, musiq,clip,niqe without)." };
        var report = new Option<FileInfo?>("--report") { Description = "Write a self-contained HTML report (tables, per-frame plots, crops of the worst frames)." };
        var csv = new Option<FileInfo?>("--csv") { Description = "Write every frame's values as CSV." };
        var json = new Option<FileInfo?>("--json") { Description = "Write the summary (overall and per-sequence means) as JSON." };
        var alexNet = new Option<string?>("--alexnet") { Description = "AlexNet weights for LPIPS/tLPIPS; default: torchvision's alexnet-owt-7be5be79.pth through the torch hub cache." };
        var vgg16 = new Option<string?>("--vgg16") { Description = "VGG16 weights for DISTS; default: torchvision's vgg16-397923af.pth through the torch hub cache." };
        var raft = new Option<string?>("--raft") { Description = "RAFT-large weights for tOF; default: torchvision's raft_large_C_T_SKHT_V2 through the torch hub cache." };
        var musiq = new Option<string?>("--musiq") { Description = "MUSIQ weights; default: pyiqa's musiq_koniq_ckpt-e95806b9.pth through the torch hub cache (left out when it cannot be had)." };
        var clip = new Option<string?>("--clip") { Description = "OpenAI's CLIP RN50.pt for CLIP-IQA; default: ~/.cache/clip/RN50.pt, sha256-checked (left out when it cannot be had)." };
        var niqe = new Option<string?>("--niqe") { Description = "NIQE's modelparameters.mat; default: the NIQE release's, shipped with StableVsr." };
        var device = new Option<string>("--device") { Description = "auto, cpu, cuda or cuda:N.", DefaultValueFactory = _ => EvaluationOptions.Default.Device.ToString() };
        var batch = new Option<int>("--batch") { Description = "Frame pairs per network call (larger helps GPUs; same values).", DefaultValueFactory = _ => EvaluationOptions.Default.BatchSize };
        var truncate = new Option<bool>("--truncate") { Description = "Evaluate only as many frames as the shorter side has, as eval.py silently does (default: refuse different counts)." };
        var tofPad = new Option<bool>("--tof-pad") { Description = "Pad frames whose size RAFT cannot take (sides not multiples of 8, or under 128 px) for tOF only; eval.py fails on them." };
        var sequences = new Option<string?>("--sequences") { Description = "Comma-separated sequence names to evaluate (default: every sequence of --output)." };
        var threads = new Option<int?>("--threads") { Description = "CPU threads for libtorch (default: libtorch's choice)." };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Log loading details." };

        var command = new Command("eval", "Evaluate upscaled sequences as StableVSR's eval.py does (PSNR, SSIM, LPIPS, DISTS, MUSIQ, CLIP, NIQE, tLPIPS, tOF).")
        {
            output, groundTruth, metrics, report, csv, json, alexNet, vgg16, raft, musiq, clip, niqe, device, batch, truncate, tofPad, sequences, threads, verbose,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            try
            {
                var truth = result.GetValue(groundTruth)?.FullName;
                var chosen = result.GetValue(metrics) is { } names
                    ? List(names).Select(MetricInfo.Parse).Distinct().ToArray()
                    : truth is null ? MetricInfo.NoReference.ToArray() : MetricInfo.All.Select(m => m.Metric).ToArray();
                var options = EvaluationOptions.Default with
                {
                    Metrics = chosen,
                    Device = ComputeDevice.Parse(result.GetValue(device)!),
                    BatchSize = result.GetValue(batch),
                    Truncate = result.GetValue(truncate),
                    PadFramesForFlow = result.GetValue(tofPad),
                    Sequences = result.GetValue(sequences) is { } sequenceNames ? List(sequenceNames).ToArray() : null,
                    CpuThreads = result.GetValue(threads),
                };
                var weights = new EvaluationWeights(result.GetValue(alexNet), result.GetValue(vgg16), result.GetValue(raft), result.GetValue(musiq), result.GetValue(clip), result.GetValue(niqe));
                var files = new EvalOutputs(result.GetValue(report)?.FullName, result.GetValue(csv)?.FullName, result.GetValue(json)?.FullName);
                return await RunAsync(result.GetValue(output)!.FullName, truth, weights, options, files, result.GetValue(verbose), cancellationToken).ConfigureAwait(false);
            }
            catch (StableVsrException e)
            {
                return CommandFailures.Report(e);
            }
        });
        return command;
    }

    private static async Task<int> RunAsync(
        string output, string? groundTruth, EvaluationWeights weights, EvaluationOptions options, EvalOutputs files, bool verbose, CancellationToken cancellationToken)
    {
        using var loggerFactory = LoggerFactory.Create(b => b
            .AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; })
            .SetMinimumLevel(verbose ? LogLevel.Debug : LogLevel.Error));
        try
        {
            // Hours of work must not end in a file that cannot be written: check every output before starting.
            files.EnsureWritable();
            options.Validate();
            var needing = options.Metrics.Where(m => MetricInfo.Of(m).NeedsGroundTruth).Select(m => MetricInfo.Of(m).Name).ToArray();
            if (groundTruth is null && needing.Length > 0)
            {
                throw new InvalidInputException($"{string.Join(", ", needing)} compare with the ground truth: give --gt, or choose only musiq, clip and niqe.");
            }

            using var evaluator = await VideoEvaluator.LoadAsync(weights, options, loggerFactory, downloadProgress: new ConsoleDownloadProgress(Console.Error), cancellationToken: cancellationToken).ConfigureAwait(false);
            foreach (var note in evaluator.LoadNotes)
            {
                Console.Error.WriteLine("note: " + note);
            }

            var progress = new ConsoleEvaluationProgress(Console.Error, !Console.IsErrorRedirected);
            var result = await evaluator.EvaluateFoldersAsync(output, groundTruth, progress, cancellationToken).ConfigureAwait(false);
            foreach (var note in result.Notes.Except(evaluator.LoadNotes))
            {
                Console.Error.WriteLine("note: " + note);
            }

            // The line first: whatever happens to the files, the numbers are on the screen.
            Console.Out.WriteLine(result.SummaryLine);
            var about = new[] { $"output: {output}", $"ground truth: {groundTruth ?? "none (no-reference metrics only)"}", $"device: {options.Device}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC" };
            var written = await files.WriteAsync(result, about, Console.Error, cancellationToken).ConfigureAwait(false);
            return written ? ExitCodes.Ok : ExitCodes.OutputNotWritten;
        }
        catch (StableVsrException e)
        {
            return CommandFailures.Report(e);
        }
        catch (OperationCanceledException e)
        {
            return CommandFailures.Report(new UpscaleCanceledException("Evaluation cancelled; no file was written.", e));
        }
    }

    private static IEnumerable<string> List(string? text) =>
        (text ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
