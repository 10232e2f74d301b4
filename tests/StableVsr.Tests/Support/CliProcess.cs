using System.Diagnostics;

namespace StableVsr.Tests.Support;

/// <summary>
/// Runs the <c>stablevsr</c> executable built beside the tests as a process of its own, as a user runs it. For commands
/// whose failure would leave something behind in the test process (an Orleans silo whose start failed keeps parts of
/// itself spinning, allocating hundreds of MB a second, until the process exits).
/// </summary>
public static class CliProcess
{
    /// <summary>
    /// Runs <c>stablevsr</c> with the test-only kill point (<see cref="StableVsr.Sampling.Jobs.TestHooks"/>): the process kills itself
    /// (SIGKILL) once its <paramref name="commits"/>th window is committed and the next window's first frame is written;
    /// fails unless that is how it ended.
    /// </summary>
    public static async Task KillAfterCommitsAsync(int commits, params string[] arguments)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "stablevsr")) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment[StableVsr.Sampling.Jobs.TestHooks.ExitAfterCommitsVariable] = commits.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(limit.Token);
        await stdout;
        Assert.That(process.ExitCode, Is.EqualTo(128 + 9), $"killed by its own SIGKILL after {commits} window(s): " + await stderr);
    }

    /// <summary>Runs <c>stablevsr</c> with <paramref name="arguments"/>; returns the exit code and what it wrote to stderr.</summary>
    public static async Task<(int ExitCode, string Errors)> RunAsync(TimeSpan timeout, params string[] arguments)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "stablevsr")) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"stablevsr {string.Join(' ', arguments)} did not finish within {timeout}.");
        }

        await stdout;
        return (process.ExitCode, await stderr);
    }
}
