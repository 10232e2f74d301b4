using System.Diagnostics;
using System.Globalization;

namespace StableVsr.Sampling.Jobs;

/// <summary>
/// Deterministic crash and pause points for the tests that run the command line as a process, read once from the
/// environment (documented as test-only in docs/troubleshooting.md; unset, they cost one comparison per window):
/// <list type="bullet">
/// <item><c>STABLEVSR_TEST_EXIT_AFTER_COMMITS=N</c>: after the process's Nth committed window, it kills itself (SIGKILL,
/// nothing cleans up) as soon as the next window's first frame is in the sink, so the output holds a frame its journal
/// does not record, the hardest case for a resume.</item>
/// <item><c>STABLEVSR_TEST_PAUSE_AFTER_COMMITS=N</c> with <c>STABLEVSR_TEST_PAUSE_FOLDER=DIR</c>: after the Nth commit,
/// the run creates <c>DIR/paused</c> and waits, holding its output, until <c>DIR/resume</c> exists.</item>
/// </list>
/// </summary>
internal static class TestHooks
{
    /// <summary>The kill point's variable.</summary>
    public const string ExitAfterCommitsVariable = "STABLEVSR_TEST_EXIT_AFTER_COMMITS";

    /// <summary>The pause point's variable.</summary>
    public const string PauseAfterCommitsVariable = "STABLEVSR_TEST_PAUSE_AFTER_COMMITS";

    /// <summary>The pause point's folder.</summary>
    public const string PauseFolderVariable = "STABLEVSR_TEST_PAUSE_FOLDER";

    private static readonly int? ExitAfter = Read(ExitAfterCommitsVariable);
    private static readonly int? PauseAfter = Read(PauseAfterCommitsVariable);
    private static readonly string? PauseFolder = Environment.GetEnvironmentVariable(PauseFolderVariable);
    private static int commits;

    /// <summary>Called after each durable commit (output, then journal).</summary>
    public static async Task CommittedAsync(CancellationToken cancellationToken)
    {
        if (ExitAfter is null && PauseAfter is null)
        {
            return;
        }

        var count = Interlocked.Increment(ref commits);
        if (count == PauseAfter && PauseFolder is { } folder)
        {
            await File.WriteAllTextAsync(Path.Combine(folder, "paused"), Environment.ProcessId.ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
            while (!File.Exists(Path.Combine(folder, "resume")))
            {
                await Task.Delay(20, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Called after each frame is in the sink.</summary>
    public static void FrameWritten()
    {
        if (ExitAfter is { } after && Volatile.Read(ref commits) >= after)
        {
            using var self = Process.GetCurrentProcess();
            self.Kill();
        }
    }

    private static int? Read(string variable) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : null;
}
