using StableVsr.Training.Randomness;
using StableVsr.Weights.Safetensors;
using TorchSharp;
using static TorchSharp.torch;

namespace StableVsr.Tests.Training;

/// <summary>
/// The random draws train.py made in the <c>train_step</c> fixture, handed out in place of a generator: batch 0 reads
/// the plain keys, batch 1 the <c>_2</c> keys. Records the order the step asks in, so a test can check it is train.py's.
/// </summary>
internal sealed class FixtureTrainingDraws : ITrainingRandomness
{
    private readonly SafetensorsFile fixture;

    public FixtureTrainingDraws(SafetensorsFile fixture) => this.fixture = fixture;

    /// <summary>What was asked for, in order, as fixture keys.</summary>
    public List<string> Requests { get; } = [];

    public ITrainingDraws ForBatch(long batchesBefore) => batchesBefore switch
    {
        0 => new Draws(this, string.Empty),
        1 => new Draws(this, "_2"),
        _ => throw new ArgumentOutOfRangeException(nameof(batchesBefore), batchesBefore, "The fixture records two steps."),
    };

    private sealed class Draws : ITrainingDraws
    {
        private readonly FixtureTrainingDraws owner;
        private readonly string suffix;

        public Draws(FixtureTrainingDraws owner, string suffix)
        {
            this.owner = owner;
            this.suffix = suffix;
        }

        public IReadOnlyList<double> NeighbourChoices(int batch)
        {
            using var values = Load("random_u");
            Assert.That(values.shape, Is.EqualTo(new long[] { batch }));
            return values.data<double>().ToArray();
        }

        public Tensor Noise(TrainingNoise kind, long[] shape, ScalarType dtype, Device device)
        {
            var key = kind switch
            {
                TrainingNoise.LatentSample => "vae_noise",
                TrainingNoise.NeighbourLatentSample => "vae_noise_prev",
                TrainingNoise.Diffusion => "noise",
                TrainingNoise.NeighbourDiffusion => "noise_prev",
                _ => throw new ArgumentOutOfRangeException(nameof(kind)),
            };
            using var noise = Load(key);
            Assert.That(noise.shape, Is.EqualTo(shape), key);
            return noise.to(dtype, device);
        }

        public Tensor Timesteps(int batch, int trainTimesteps, Device device)
        {
            using var timesteps = Load("timesteps");
            Assert.That(timesteps.shape, Is.EqualTo(new long[] { batch }));
            return timesteps.to(device);
        }

        private Tensor Load(string key)
        {
            owner.Requests.Add(key);
            return owner.fixture.Load(key + suffix);
        }
    }
}
