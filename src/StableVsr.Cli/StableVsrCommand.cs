using System.CommandLine;
using StableVsr.Cli.Commands;

namespace StableVsr.Cli;

/// <summary>The root of the <c>stablevsr</c> command line.</summary>
internal static class StableVsrCommand
{
    /// <summary>Builds the command tree.</summary>
    public static RootCommand Build()
    {
        var root = new RootCommand("StableVsr: diffusion-based 4x video super-resolution (StableVSR) on TorchSharp.");
        root.Subcommands.Add(UpscaleCommand.Build());
        root.Subcommands.Add(EvalCommand.Build());
        root.Subcommands.Add(InspectCommand.Build());
        root.Subcommands.Add(TrainCommand.Build());
        root.Subcommands.Add(WorkerCommand.Build());
        root.Subcommands.Add(SubmitCommand.Build());
        root.Subcommands.Add(StatusCommand.Build());
        return root;
    }

    /// <summary>Parses <paramref name="args"/>, runs the chosen command and returns the process exit code.</summary>
    public static Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        // Ctrl+C cancels the command's token; the process waits for the command to wind down (training saves a checkpoint
        // first, which takes seconds for the full-size ControlNet) instead of System.CommandLine's default 2 seconds.
        return Build().Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromMinutes(10) });
    }
}
