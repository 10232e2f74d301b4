namespace StableVsr.Training;

/// <summary>What a finished training run left behind.</summary>
/// <param name="Steps">Optimizer steps done in total (resumed steps included).</param>
/// <param name="ControlNetFolder">
/// The trained ControlNet in diffusers layout (<c>config.json</c> + <c>diffusion_pytorch_model.safetensors</c>, in the output
/// folder as train.py's <c>save_pretrained(output_dir)</c> writes it): give it to <c>stablevsr upscale --controlnet</c>.
/// </param>
/// <param name="LastCheckpoint">The newest checkpoint folder, or null when none was written.</param>
/// <param name="Log">The CSV log of every step.</param>
/// <param name="LossCurve">The loss curve PNG, or null when it could not be drawn.</param>
public sealed record TrainingResult(long Steps, string ControlNetFolder, string? LastCheckpoint, string Log, string? LossCurve);
