using System.Globalization;
using StableVsr.Models.Loading;
using StableVsr.Models.Raft;

namespace StableVsr.Training;

/// <summary>
/// How the Temporal Conditioning Module (StableVSR's ControlNet) is trained. Each property names the train.py argument
/// (or <c>dataset/config_reds.yaml</c> key) it stands for; defaults are train.py's own defaults, and the remarks give the
/// values of StableVSR's <c>train.sh</c>, which made the released checkpoint. Compose with <c>with</c> expressions.
/// </summary>
/// <remarks>
/// train.sh trains on 4 GPUs with a batch of 8 each, learning rate 5e-5, 20,000 steps, validation every 1,000 steps.
/// TorchSharp has no <c>torch.distributed</c>, so one process trains on one device; set
/// <see cref="GradientAccumulationSteps"/> to the number of GPUs to reproduce the global batch of 32 (the sum of the
/// accumulated gradients then equals the data-parallel mean).
/// </remarks>
public sealed record TrainingOptions
{
    /// <summary>
    /// <c>--pretrained_model_name_or_path</c>: the StableVSR model (a folder in diffusers layout with unet/, vae/, scheduler/,
    /// text_encoder/ and tokenizer/, or a Hugging Face id). Default <c>claudiom4sir/StableVSR</c> (train.sh's).
    /// </summary>
    public string Model { get; init; } = ModelSource.DefaultModel;

    /// <summary>
    /// <c>--controlnet_model_name_or_path</c>: a ControlNet folder (config.json + weights) to continue training from, for
    /// example the released <c>controlnet/</c>. Default null: a new ControlNet is made from the UNet as diffusers'
    /// <c>ControlNetModel.from_unet</c> does (train.sh's choice).
    /// </summary>
    public string? ControlNet { get; init; }

    /// <summary>RAFT-large weights (.pth or .safetensors); null (the default) takes torchvision's through the torch hub cache, as train.py does.</summary>
    public string? Raft { get; init; }

    /// <summary>
    /// The training data: a folder with <c>hr/</c> (ground truth, the dataset's <c>dataroot_gt</c>) and <c>lr/</c> (4x smaller
    /// frames, <c>dataroot_lq</c>), each holding one subfolder of frames per sequence with the same names in both.
    /// Required.
    /// </summary>
    public string Data { get; init; } = string.Empty;

    /// <summary>
    /// <c>meta_info_file</c>: a REDS metadata file (lines "<c>sequence frame_count (h,w,c)</c>", as
    /// <c>dataset/REDS_train_metadata.txt</c>); frames are then <c>{index:08d}.png</c>. Default null: every sequence folder
    /// under <c>hr/</c> is used with all its frames, in natural file-name order.
    /// </summary>
    public string? MetadataFile { get; init; }

    /// <summary><c>val_partition</c> + <c>remove_partition</c>: sequences held out for validation. Default <see cref="ExcludedPartition.Reds4"/> (config_reds.yaml).</summary>
    public ExcludedPartition ExcludedPartition { get; init; } = ExcludedPartition.Reds4;

    /// <summary><c>--output_dir</c>: where checkpoints, logs, validation frames and the final ControlNet go. Default <c>controlnet-model</c>.</summary>
    public string Output { get; init; } = "controlnet-model";

    /// <summary><c>--seed</c>: seeds data order, crops, flips, noise and timesteps, and a new ControlNet's random layers. Default 42.</summary>
    public long Seed { get; init; } = 42;

    /// <summary>
    /// <c>gt_size</c>: side of the square ground-truth crop in pixels (LR crops are a quarter of it). A multiple of 8, at
    /// least 128: RAFT-large's correlation pyramid halves the crop's 1/8 three times, and from 64 to 120 px its coarsest
    /// level is 1 px wide, where torchvision's <c>raft_large</c> (which train.py runs on these crops) returns NaN for every
    /// flow; below 64 px it fails outright. Default 256.
    /// </summary>
    public int GtSize { get; init; } = 256;

    /// <summary><c>use_hflip</c>: flips each training window horizontally with probability 0.5. Default true.</summary>
    public bool HorizontalFlip { get; init; } = true;

    /// <summary><c>random_reverse</c>: reverses each window's frame order with probability 0.5. Default false.</summary>
    public bool RandomReverse { get; init; }

    /// <summary><c>interval_list</c>: frame spacings a window is drawn with (one chosen at random per window). Default [1].</summary>
    public IReadOnlyList<int> FrameIntervals { get; init; } = [1];

    /// <summary><c>--train_batch_size</c>: windows per step (train.sh: 8 per GPU). Default 4.</summary>
    public int BatchSize { get; init; } = 4;

    /// <summary><c>--num_train_epochs</c>: used when <see cref="MaxTrainSteps"/> is null. Default 1.</summary>
    public int NumTrainEpochs { get; init; } = 1;

    /// <summary><c>--max_train_steps</c>: optimizer steps to train for; overrides <see cref="NumTrainEpochs"/>. Default null (train.sh: 20,000).</summary>
    public int? MaxTrainSteps { get; init; }

    /// <summary><c>--gradient_accumulation_steps</c>: batches whose gradients are summed (each loss divided by this) before one optimizer step. Default 1.</summary>
    public int GradientAccumulationSteps { get; init; } = 1;

    /// <summary><c>--checkpointing_steps</c>: a checkpoint every this many optimizer steps. Default 500.</summary>
    public int CheckpointingSteps { get; init; } = 500;

    /// <summary><c>--checkpoints_total_limit</c>: the most checkpoints kept; the oldest are removed after a new one is written. Default null (keep all).</summary>
    public int? CheckpointsTotalLimit { get; init; }

    /// <summary>
    /// <c>--resume_from_checkpoint</c>: <c>latest</c> (the newest <c>checkpoint-N</c> in <see cref="Output"/>, or a fresh start when
    /// there is none, as train.py does) or the path of a checkpoint folder. Default null: start fresh.
    /// </summary>
    public string? ResumeFrom { get; init; }

    /// <summary><c>--learning_rate</c>: the base learning rate (train.sh: 5e-5). Default 5e-6.</summary>
    public double LearningRate { get; init; } = 5e-6;

    /// <summary><c>--scale_lr</c>: multiplies the learning rate by the accumulation steps and the batch size. Default false.</summary>
    public bool ScaleLearningRate { get; init; }

    /// <summary><c>--lr_scheduler</c>. Default <see cref="LearningRateSchedule.Constant"/>.</summary>
    public LearningRateSchedule LearningRateScheduler { get; init; } = LearningRateSchedule.Constant;

    /// <summary><c>--lr_warmup_steps</c>: warmup length of every schedule but <c>constant</c>. Default 500.</summary>
    public int LearningRateWarmupSteps { get; init; } = 500;

    /// <summary><c>--lr_num_cycles</c>: restarts of <see cref="LearningRateSchedule.CosineWithRestarts"/>. Default 1.</summary>
    public int LearningRateCycles { get; init; } = 1;

    /// <summary><c>--lr_power</c>: exponent of <see cref="LearningRateSchedule.Polynomial"/>. Default 1.0.</summary>
    public double LearningRatePower { get; init; } = 1.0;

    /// <summary><c>--adam_beta1</c>. Default 0.9.</summary>
    public double AdamBeta1 { get; init; } = 0.9;

    /// <summary><c>--adam_beta2</c>. Default 0.999.</summary>
    public double AdamBeta2 { get; init; } = 0.999;

    /// <summary><c>--adam_weight_decay</c>: AdamW's decoupled weight decay. Default 1e-2.</summary>
    public double AdamWeightDecay { get; init; } = 1e-2;

    /// <summary><c>--adam_epsilon</c>. Default 1e-8.</summary>
    public double AdamEpsilon { get; init; } = 1e-8;

    /// <summary><c>--max_grad_norm</c>: the total gradient L2 norm is clipped to this before each optimizer step. Default 1.0.</summary>
    public double MaxGradNorm { get; init; } = 1.0;

    /// <summary><c>--mixed_precision</c>: precision of the frozen UNet, VAE and RAFT. Default <see cref="FrozenPrecision.Float32"/>.</summary>
    public FrozenPrecision Precision { get; init; } = FrozenPrecision.Float32;

    /// <summary>
    /// <c>--gradient_checkpointing</c>: recomputes the ControlNet's down blocks during the backward pass instead of keeping
    /// their activations, trading about one more ControlNet forward per step for memory. Results are unchanged. Default false.
    /// </summary>
    public bool GradientCheckpointing { get; init; }

    /// <summary>
    /// <c>--validation_image</c>: a folder of LR frames upscaled with the current ControlNet every
    /// <see cref="ValidationSteps"/>; the frames go to <c>validation/step-N/</c> under <see cref="Output"/>. Default null (no validation).
    /// </summary>
    public string? ValidationFrames { get; init; }

    /// <summary>
    /// Ground-truth frames of <see cref="ValidationFrames"/> (the same count, in the same natural order, each exactly 4x its
    /// LR frame). When given, each validation also scores its frames against them with eval.py's PSNR and SSIM
    /// (torchmetrics, data range 1; the ground truth centre-cropped as the LR frames are) and rewrites
    /// <c>validation/metrics.csv</c> (step, psnr, ssim: means over the frames). train.py logs images only. Default null.
    /// </summary>
    public string? ValidationGroundTruth { get; init; }

    /// <summary><c>--validation_steps</c>: optimizer steps between validations (train.sh: 1,000). Default 100.</summary>
    public int ValidationSteps { get; init; } = 100;

    /// <summary>Denoising steps of a validation run (train.py's <c>log_validation</c> uses 50). Default 50.</summary>
    public int ValidationInferenceSteps { get; init; } = 50;

    /// <summary>
    /// Side of the centred square crop of each validation LR frame (train.py's <c>log_validation</c> crops 128x128); null
    /// or a frame smaller than the crop keeps the whole frame. Default 128.
    /// </summary>
    public int? ValidationCrop { get; init; } = 128;

    /// <summary>
    /// <c>conditioning_embedding_out_channels</c> of a ControlNet made from the UNet: the widths of its conditioning-image
    /// encoder, whose stride-2 stages bring the HR image down to the latent size (3 stages for 4x). Default [64, 128, 256] (train.py's).
    /// </summary>
    public IReadOnlyList<int> ConditioningEmbeddingChannels { get; init; } = [64, 128, 256];

    /// <summary>The prompt the UNet and ControlNet are conditioned on (train.py encodes ""). Default "".</summary>
    public string Prompt { get; init; } = string.Empty;

    /// <summary>RAFT's flow updates. Default 12 (torchvision's, as train.py runs it).</summary>
    public int RaftIterations { get; init; } = 12;

    /// <summary>Where training runs: <see cref="ComputeDevice.Auto"/> (the first CUDA device when libtorch has CUDA, else the CPU), the CPU or a CUDA device. Default auto.</summary>
    public ComputeDevice Device { get; init; } = ComputeDevice.Auto;

    /// <summary>CPU threads libtorch may use; null keeps libtorch's choice. Default null.</summary>
    public int? CpuThreads { get; init; }

    /// <summary>
    /// <c>--dataloader_num_workers</c>: threads decoding and cropping frames in the background (train.py: 0, the main
    /// process; train.sh: 8). At least 1 here: decoding never runs on the training thread. Default 2.
    /// </summary>
    public int DataWorkers { get; init; } = 2;

    /// <summary>Batches decoded ahead of the training step (the bound of the prefetch queue). Default 2.</summary>
    public int PrefetchBatches { get; init; } = 2;

    /// <summary>The learning rate the optimizer starts from: <see cref="LearningRate"/>, times accumulation and batch size when <see cref="ScaleLearningRate"/>.</summary>
    public double EffectiveLearningRate => ScaleLearningRate ? LearningRate * GradientAccumulationSteps * BatchSize : LearningRate;

    /// <summary>Checks every value and says which one is wrong.</summary>
    /// <exception cref="InvalidInputException">A value is out of range or a required one is missing.</exception>
    public void Validate()
    {
        Require(!string.IsNullOrWhiteSpace(Model), "Model must name a StableVSR model folder or Hub id.");
        Require(!string.IsNullOrWhiteSpace(Data), "Data must name the training data folder (with hr/ and lr/ subfolders).");
        Require(!string.IsNullOrWhiteSpace(Output), "Output must name the folder for checkpoints and logs.");
        var raftMinimum = new RaftConfig().MinImageSide;
        Require(
            GtSize >= raftMinimum && GtSize % RaftConfig.DownsampleFactor == 0,
            $"GtSize must be a multiple of {RaftConfig.DownsampleFactor} and at least {raftMinimum}; got {GtSize}. RAFT-large computes the flow between the upscaled crops, " +
            $"and below {raftMinimum} px the coarsest level of its correlation pyramid is 1 px wide: torchvision's raft_large, which train.py runs, then gives NaN for " +
            "every flow (at 64 to 120 px) or fails (below 64 px), so training would learn from NaN.");
        Require(FrameIntervals.Count > 0 && FrameIntervals.All(i => i >= 1), $"FrameIntervals must hold at least one interval, each at least 1; got [{string.Join(", ", FrameIntervals)}].");
        Require(BatchSize >= 1, $"BatchSize must be at least 1; got {BatchSize}.");
        Require(NumTrainEpochs >= 1, $"NumTrainEpochs must be at least 1; got {NumTrainEpochs}.");
        Require(MaxTrainSteps is null or >= 1, $"MaxTrainSteps must be at least 1 when given; got {MaxTrainSteps}.");
        Require(GradientAccumulationSteps >= 1, $"GradientAccumulationSteps must be at least 1; got {GradientAccumulationSteps}.");
        Require(CheckpointingSteps >= 1, $"CheckpointingSteps must be at least 1; got {CheckpointingSteps}.");
        Require(CheckpointsTotalLimit is null or >= 1, $"CheckpointsTotalLimit must be at least 1 when given; got {CheckpointsTotalLimit}.");
        Require(double.IsFinite(LearningRate) && LearningRate > 0, $"LearningRate must be a positive number; got {F(LearningRate)}.");
        Require(Enum.IsDefined(LearningRateScheduler), $"LearningRateScheduler {LearningRateScheduler} is not one of {string.Join(", ", Enum.GetNames<LearningRateSchedule>())}.");
        Require(LearningRateWarmupSteps >= 0, $"LearningRateWarmupSteps must not be negative; got {LearningRateWarmupSteps}.");
        Require(LearningRateCycles >= 1, $"LearningRateCycles must be at least 1; got {LearningRateCycles}.");
        Require(double.IsFinite(LearningRatePower) && LearningRatePower > 0, $"LearningRatePower must be a positive number; got {F(LearningRatePower)}.");
        Require(LearningRateScheduler != LearningRateSchedule.Polynomial || EffectiveLearningRate > Optimization.LearningRateScheduler.PolynomialEndRate,
            $"The polynomial schedule decays to {F(Optimization.LearningRateScheduler.PolynomialEndRate)}: the learning rate must be larger; got {F(EffectiveLearningRate)}.");
        Require(AdamBeta1 is >= 0 and < 1, $"AdamBeta1 must be in [0, 1); got {F(AdamBeta1)}.");
        Require(AdamBeta2 is >= 0 and < 1, $"AdamBeta2 must be in [0, 1); got {F(AdamBeta2)}.");
        Require(double.IsFinite(AdamWeightDecay) && AdamWeightDecay >= 0, $"AdamWeightDecay must not be negative; got {F(AdamWeightDecay)}.");
        Require(double.IsFinite(AdamEpsilon) && AdamEpsilon > 0, $"AdamEpsilon must be a positive number; got {F(AdamEpsilon)}.");
        Require(double.IsFinite(MaxGradNorm) && MaxGradNorm > 0, $"MaxGradNorm must be a positive number; got {F(MaxGradNorm)}.");
        Require(Enum.IsDefined(Precision), $"Precision {Precision} is not one of {string.Join(", ", Enum.GetNames<FrozenPrecision>())}.");
        Require(Enum.IsDefined(ExcludedPartition), $"ExcludedPartition {ExcludedPartition} is not one of {string.Join(", ", Enum.GetNames<ExcludedPartition>())}.");
        Require(ValidationGroundTruth is null || ValidationFrames is not null, "ValidationGroundTruth needs ValidationFrames: give the LR frames it is the ground truth of.");
        Require(ValidationSteps >= 1, $"ValidationSteps must be at least 1; got {ValidationSteps}.");
        Require(ValidationInferenceSteps >= 1, $"ValidationInferenceSteps must be at least 1; got {ValidationInferenceSteps}.");
        Require(ValidationCrop is null or >= 32, $"ValidationCrop must be at least 32 px when given; got {ValidationCrop}.");
        Require(ConditioningEmbeddingChannels.Count >= 1 && ConditioningEmbeddingChannels.All(c => c >= 1),
            $"ConditioningEmbeddingChannels must hold at least one positive width; got [{string.Join(", ", ConditioningEmbeddingChannels)}].");
        Require(RaftIterations >= 1, $"RaftIterations must be at least 1; got {RaftIterations}.");
        Require(CpuThreads is null or >= 1, $"CpuThreads must be at least 1 when given; got {CpuThreads}.");
        Require(DataWorkers >= 1, $"DataWorkers must be at least 1; got {DataWorkers}.");
        Require(PrefetchBatches >= 1, $"PrefetchBatches must be at least 1; got {PrefetchBatches}.");
        Require(Prompt is not null, "Prompt must not be null; StableVSR trains with \"\".");
    }

    private static string F(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidInputException("Training options: " + message);
        }
    }
}
