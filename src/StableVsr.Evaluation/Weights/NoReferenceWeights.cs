namespace StableVsr.Evaluation.Weights;

/// <summary>
/// The well-known files of the no-reference metrics, in one place: where pyiqa 0.1.7 and OpenAI's CLIP package fetch
/// them, how they are named in their caches and how they are checked.
/// </summary>
internal static class NoReferenceWeights
{
    /// <summary>MUSIQ trained on KonIQ-10k as pyiqa 0.1.7 downloads it (a plain <c>torch.save</c> state dict, 108.5 MB).</summary>
    public const string MusiqKoniqUrl = "https://github.com/chaofengc/IQA-PyTorch/releases/download/v0.1-weights/musiq_koniq_ckpt-e95806b9.pth";

    /// <summary>
    /// The name pyiqa caches the MUSIQ checkpoint under in <c>$TORCH_HOME/hub/checkpoints</c>. pyiqa downloads it
    /// without a hash check (<c>hash_prefix=None</c>), so the <c>e95806b9</c> in the name is not checked here either.
    /// </summary>
    public const string MusiqKoniqFileName = "musiq_koniq_ckpt-e95806b9.pth";

    /// <summary>OpenAI's CLIP RN50 (a TorchScript archive, mixed float16/float32), the backbone of CLIP-IQA.</summary>
    public const string ClipRn50Url = "https://openaipublic.azureedge.net/clip/models/" + ClipRn50Sha256 + "/RN50.pt";

    /// <summary>The sha256 of <c>RN50.pt</c>, which OpenAI's <c>clip.load</c> checks (it is the URL's folder name).</summary>
    public const string ClipRn50Sha256 = "afeb0e10f9e5a86da6080e35cf09123aca3b358a0c3e3b6c78a7b63bc04b6762";

    /// <summary>The name OpenAI's CLIP package caches RN50 under, in <c>~/.cache/clip</c>.</summary>
    public const string ClipRn50FileName = "RN50.pt";

    /// <summary>The NIQE release's pristine model (LIVE, UT Austin), pyiqa's name for it.</summary>
    public const string NiqeFileName = "niqe_modelparameters.mat";

    /// <summary>The NIQE model shipped inside this assembly (8 KB, unchanged, notice in <c>LICENSES.md</c>).</summary>
    public const string NiqeResource = "StableVsr.Evaluation.niqe_modelparameters.mat";

    /// <summary>OpenAI CLIP's BPE merges (MIT), shipped inside this assembly for <c>clip.tokenize</c>.</summary>
    public const string ClipBpeResource = "StableVsr.Evaluation.bpe_simple_vocab_16e6.txt.gz";
}
