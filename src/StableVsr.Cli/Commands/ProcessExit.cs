using System.Runtime.InteropServices;

namespace StableVsr.Cli.Commands;

/// <summary>
/// Ends the process at once with an exit code, for a worker whose silo cannot stop (its store does not answer, and
/// Orleans retries for minutes): <see cref="Environment.Exit"/> would wait for the host's own process-exit handler, which
/// waits for that stop.
/// </summary>
internal static class ProcessExit
{
    /// <summary>Flushes the console and ends the process with <paramref name="code"/>; does not return.</summary>
    public static void Now(int code)
    {
        Console.Out.Flush();
        Console.Error.Flush();
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            ExitImmediately(code);
        }

        Environment.Exit(code);
    }

    [DllImport("libc", EntryPoint = "_exit")]
    private static extern void ExitImmediately(int code);
}
