using StableVsr.Sampling.Resume;

namespace StableVsr.Cli.Commands;

/// <summary>The rules for a sequence's output: never the input itself, never silently replaced, resumable.</summary>
internal static class SequenceOutput
{
    /// <summary>
    /// Whether a sequence is finished and a resumed run leaves it alone: its output exists and no journal is left. Only
    /// with --resume (a folder of sequences resumed after an interruption skips what was done).
    /// </summary>
    public static bool IsComplete(SequencePlan plan, RunSettings run) => run.Mode == ResumeMode.Resume && plan.IsComplete;

    /// <summary>Refuses an output that is the input, or that already holds a finished run's output (unless --overwrite).</summary>
    /// <exception cref="InvalidInputException">The output cannot be written as asked; the message says what to do.</exception>
    public static void CheckWritable(SequencePlan plan, RunSettings run)
    {
        var (from, to) = (Path.GetFullPath(plan.Input).TrimEnd(Path.DirectorySeparatorChar), Path.GetFullPath(plan.Output).TrimEnd(Path.DirectorySeparatorChar));
        if (string.Equals(from, to, StringComparison.Ordinal))
        {
            throw new InvalidInputException($"The output '{plan.Output}' is the input: upscaled frames would replace the frames being read. Give another output.");
        }

        if (!run.Overwrite && plan.IsComplete)
        {
            var what = plan.OutputIsVideo ? "exists" : "already holds frames";
            throw new InvalidInputException($"The output '{plan.Output}' {what}. Pass --overwrite to replace it, or give another output.");
        }
    }
}
