using StableVsr.Evaluation;
using StableVsr.Evaluation.Reporting;

namespace StableVsr.Cli.Commands;

/// <summary>
/// The files <c>stablevsr eval</c> writes (<c>--report</c>, <c>--csv</c>, <c>--json</c>): probed before the evaluation
/// starts, written after it; one that cannot be written at its place is saved in the temporary folder instead, so
/// computed results are never lost.
/// </summary>
/// <param name="Report">The HTML report, or null.</param>
/// <param name="Csv">The per-frame CSV, or null.</param>
/// <param name="Json">The summary JSON, or null.</param>
internal sealed record EvalOutputs(string? Report, string? Csv, string? Json)
{
    private IEnumerable<(string Option, string Path)> Requested =>
        new[] { ("--csv", Csv), ("--json", Json), ("--report", Report) }.Where(f => f.Item2 is not null).Select(f => (f.Item1, f.Item2!));

    /// <summary>Checks that every requested file can be written, before any work.</summary>
    /// <exception cref="InvalidInputException">One cannot; the message names the option and the reason.</exception>
    public void EnsureWritable()
    {
        foreach (var (option, path) in Requested)
        {
            try
            {
                EvaluationFiles.EnsureWritable(path);
            }
            catch (InvalidInputException e)
            {
                throw new InvalidInputException($"{option}: {e.Message} Nothing was computed; choose a path that can be written.", e);
            }
        }
    }

    /// <summary>
    /// Writes every requested file; one that fails is written to the temporary folder instead and both paths are
    /// named on <paramref name="log"/>. Returns whether all went where they were asked to.
    /// </summary>
    public async Task<bool> WriteAsync(EvaluationResult result, IReadOnlyList<string> about, TextWriter log, CancellationToken cancellationToken)
    {
        var allWritten = true;
        var stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (option, path) in Requested)
        {
            try
            {
                await WriteOneAsync(option, path, result, about, cancellationToken).ConfigureAwait(false);
                log.WriteLine($"wrote {path}");
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                allWritten = false;
                var fallback = Path.Combine(Path.GetTempPath(), $"stablevsr-eval-{stamp}{Path.GetExtension(path)}");
                try
                {
                    await WriteOneAsync(option, fallback, result, about, cancellationToken).ConfigureAwait(false);
                    log.WriteLine($"error: {option} '{path}' could not be written ({e.Message}); saved it as {fallback} instead.");
                }
                catch (Exception second) when (second is not OperationCanceledException)
                {
                    log.WriteLine($"error: {option} '{path}' could not be written ({e.Message}), nor {fallback} ({second.Message}); the summary line above holds the results.");
                }
            }
        }

        return allWritten;
    }

    private static Task WriteOneAsync(string option, string path, EvaluationResult result, IReadOnlyList<string> about, CancellationToken cancellationToken) => option switch
    {
        "--csv" => EvaluationFiles.WriteCsvAsync(result, path, cancellationToken),
        "--json" => EvaluationFiles.WriteJsonAsync(result, path, cancellationToken),
        _ => HtmlReport.WriteAsync(result, path, HtmlReportOptions.Default with { About = about }, cancellationToken),
    };
}
