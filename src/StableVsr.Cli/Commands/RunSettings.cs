using StableVsr.Sampling.Resume;

namespace StableVsr.Cli.Commands;

/// <summary>How <c>stablevsr upscale</c> treats existing outputs and journals, and how much it logs.</summary>
/// <param name="Mode">What to do with an interrupted run's journal (--resume, --restart).</param>
/// <param name="Overwrite">Replace an existing complete output (--overwrite).</param>
/// <param name="Verbose">Log loading and timing details (-v).</param>
internal sealed record RunSettings(ResumeMode Mode, bool Overwrite, bool Verbose);
