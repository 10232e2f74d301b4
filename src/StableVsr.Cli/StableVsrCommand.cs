namespace StableVsr.Cli;

/// <summary>The root of the <c>stablevsr</c> command line.</summary>
public static class StableVsrCommand
{
    /// <summary>Parses <paramref name="args"/>, runs the chosen command and returns the process exit code.</summary>
    public static Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        Console.Error.WriteLine("usage: stablevsr <upscale|inspect> ...");
        return Task.FromResult(2);
    }
}
