using System.CommandLine;
using StableVsr.Weights.Inspection;

namespace StableVsr.Cli.Commands;

/// <summary>
/// <c>stablevsr inspect PATH</c>: lists a checkpoint's files, configs and tensors (name, dtype, shape, bytes), checks
/// them, and exits non-zero with the problems found.
/// </summary>
internal static class InspectCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var path = new Argument<string>("path") { Description = "A model folder (diffusers layout or one component), a .safetensors/.pth/.bin file, or a cached Hub id owner/name[@revision]." };
        var summary = new Option<bool>("--summary") { Description = "Leave out the per-tensor listing." };
        var readData = new Option<bool>("--read-data") { Description = "Also read every tensor and report non-finite values (slow for large models)." };
        var command = new Command("inspect", "List and check a checkpoint's files, configs and tensors.") { path, summary, readData };
        command.SetAction(result =>
        {
            try
            {
                var report = new CheckpointInspector().Inspect(result.GetValue(path)!, result.GetValue(readData));
                Console.Out.Write(report.ToText(includeTensors: !result.GetValue(summary)));
                if (!report.IsValid)
                {
                    Console.Error.WriteLine($"{report.AllProblems.Count} problem(s) found:");
                    foreach (var problem in report.AllProblems)
                    {
                        Console.Error.WriteLine("  - " + problem);
                    }

                    return ExitCodes.ModelError;
                }

                return ExitCodes.Ok;
            }
            catch (StableVsrException e)
            {
                return CommandFailures.Report(e);
            }
        });
        return command;
    }
}
