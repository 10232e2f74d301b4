namespace StableVsr;

/// <summary>What an upscaler is doing when it reports progress.</summary>
public enum UpscalePhase
{
    /// <summary>Reading and checking the input frames.</summary>
    Reading,

    /// <summary>Encoding the prompt (once per run).</summary>
    EncodingPrompt,

    /// <summary>Computing optical flow between neighbouring frames (once per sequence).</summary>
    OpticalFlow,

    /// <summary>Denoising: one UNet (and ControlNet) call per frame and step.</summary>
    Denoising,

    /// <summary>Decoding the final latents to frames.</summary>
    Decoding,

    /// <summary>Handing out or writing finished frames.</summary>
    Writing,

    /// <summary>The run finished.</summary>
    Completed,
}
