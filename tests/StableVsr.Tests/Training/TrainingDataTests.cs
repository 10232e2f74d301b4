using Microsoft.Extensions.Logging.Abstractions;
using StableVsr.Tests.Support;
using StableVsr.Training;
using StableVsr.Training.Data;

namespace StableVsr.Tests.Training;

/// <summary>The REDS-layout dataset: listing, held-out partition, windows, aligned crops, prefetching and bad data.</summary>
public sealed class TrainingDataTests : TempFolderTests
{
    [Test]
    public void AMetadataFileListsSequencesAndTheReds4PartitionIsHeldOut()
    {
        var names = new[] { "000", "001", "011", "012" };
        SyntheticTrainingData.Write(Temp.Path, names, frames: 3, hrSize: 64);
        var metadata = SyntheticTrainingData.WriteMetadata(Temp.File("meta.txt"), names, frames: 3, hrSize: 64);

        var sequences = TrainingDataIndex.Load(Temp.Path, metadata, ExcludedPartition.Reds4, 3, NullLogger.Instance);

        Assert.That(sequences.Select(s => s.Name), Is.EqualTo(new[] { "001", "012" }));
        Assert.That(sequences[0].HighResolution.Select(Path.GetFileName), Is.EqualTo(new[] { "00000000.png", "00000001.png", "00000002.png" }));
        Assert.That(TrainingDataIndex.Load(Temp.Path, null, ExcludedPartition.None, 3, NullLogger.Instance), Has.Count.EqualTo(4), "without a metadata file every sequence folder is used");
    }

    [Test]
    public void StableVsrsOwnMetadataFileFormatIsRead()
    {
        // StableVSR's REDS_train_metadata.txt leaves the shape empty: "000 100 ".
        SyntheticTrainingData.Write(Temp.Path, ["001"], frames: 4, hrSize: 64);
        File.WriteAllText(Temp.File("meta.txt"), "001 4 \n");

        var sequences = TrainingDataIndex.Load(Temp.Path, Temp.File("meta.txt"), ExcludedPartition.Reds4, 3, NullLogger.Instance);

        Assert.That(sequences.Single().FrameCount, Is.EqualTo(4));
    }

    [Test]
    public void AMissingLowResolutionFrameIsNamed()
    {
        SyntheticTrainingData.Write(Temp.Path, ["001"], frames: 4, hrSize: 64);
        File.Delete(Temp.File("lr", "001", "00000002.png"));

        var error = Assert.Throws<InvalidInputException>(() => TrainingDataIndex.Load(Temp.Path, null, ExcludedPartition.None, 3, NullLogger.Instance));

        Assert.That(error!.Message, Does.Contain("00000002.png").And.Contain("no LR frame"));
    }

    [Test]
    public void AnExtraLowResolutionFrameIsNamed()
    {
        SyntheticTrainingData.Write(Temp.Path, ["001"], frames: 3, hrSize: 64);
        File.Copy(Temp.File("lr", "001", "00000000.png"), Temp.File("lr", "001", "00000009.png"));

        var error = Assert.Throws<InvalidInputException>(() => TrainingDataIndex.Load(Temp.Path, null, ExcludedPartition.None, 3, NullLogger.Instance));

        Assert.That(error!.Message, Does.Contain("00000009.png").And.Contain("no HR frame"));
    }

    [Test]
    public void AMissingLowResolutionSequenceIsNamed()
    {
        SyntheticTrainingData.Write(Temp.Path, ["001"], frames: 3, hrSize: 64);
        Directory.Delete(Temp.File("lr", "001"), recursive: true);

        var error = Assert.Throws<InvalidInputException>(() => TrainingDataIndex.Load(Temp.Path, null, ExcludedPartition.None, 3, NullLogger.Instance));

        Assert.That(error!.Message, Does.Contain("'001'").And.Contain(Temp.File("lr", "001")));
    }

    [Test]
    public void FramesListedInTheMetadataButMissingAreNamed()
    {
        SyntheticTrainingData.Write(Temp.Path, ["001"], frames: 3, hrSize: 64);
        File.WriteAllText(Temp.File("meta.txt"), "001 5 (64,64,3)\n");

        var error = Assert.Throws<InvalidInputException>(() => TrainingDataIndex.Load(Temp.Path, Temp.File("meta.txt"), ExcludedPartition.None, 3, NullLogger.Instance));

        Assert.That(error!.Message, Does.Contain("00000003.png").And.Contain("00000004.png"));
    }

    [Test]
    public void ASequenceShorterThanAWindowIsRefused()
    {
        SyntheticTrainingData.Write(Temp.Path, ["001", "002"], frames: 2, hrSize: 64);

        var error = Assert.Throws<InvalidInputException>(() => TrainingDataIndex.Load(Temp.Path, null, ExcludedPartition.None, 3, NullLogger.Instance));

        Assert.That(error!.Message, Does.Contain("'001' has 2 frame(s)").And.Contain("3 frames"));
    }

    [Test]
    public void NoSequenceLeftAfterTheHeldOutPartitionIsRefused()
    {
        SyntheticTrainingData.Write(Temp.Path, ["000", "011"], frames: 3, hrSize: 64);

        var error = Assert.Throws<InvalidInputException>(() => TrainingDataIndex.Load(Temp.Path, null, ExcludedPartition.Reds4, 3, NullLogger.Instance));

        Assert.That(error!.Message, Does.Contain("No training sequence").And.Contain("000, 011"));
    }

    [Test]
    public void ACropLargerThanTheFramesIsRefusedBeforeTraining()
    {
        SyntheticTrainingData.Write(Temp.Path, ["001"], frames: 3, hrSize: 128);
        var dataset = Dataset(gtSize: 256);

        var error = Assert.Throws<InvalidInputException>(dataset.CheckFirstFrames);

        Assert.That(error!.Message, Does.Contain("256 px GT crop").And.Contain("128x128"));
    }

    [Test]
    public void LowResolutionFramesThatAreNotAQuarterOfTheGroundTruthAreNamed()
    {
        SyntheticTrainingData.Write(Temp.Path, ["001"], frames: 3, hrSize: 128);
        SyntheticTrainingData.Save(Temp.File("lr", "001", "00000000.png"), new byte[48 * 48 * 3], 48);

        var error = Assert.Throws<InvalidInputException>(Dataset(gtSize: 128).CheckFirstFrames);

        Assert.That(error!.Message, Does.Contain("00000000.png").And.Contain("48x48").And.Contain("4x"));
    }

    [Test]
    public void CropsOfGroundTruthAndLowResolutionFramesAreAlignedAndFlippedTogether()
    {
        SyntheticTrainingData.Write(Temp.Path, ["001", "002"], frames: 5, hrSize: 128);
        var flipping = Dataset(gtSize: 64);
        var plain = Dataset(gtSize: 64, flip: false);
        var (mirrored, kept) = (0, 0);

        for (var batch = 0; batch < flipping.BatchesPerEpoch(2); batch++)
        {
            using var scope = TorchSharp.torch.NewDisposeScope();
            var position = new DataPosition(0, batch);
            var (hr, low) = Batch(flipping, position);
            var (plainHr, _) = Batch(plain, position);

            // The synthetic LR frames are 4x4 box averages of the HR frames: so must the crops be, frame by frame.
            var pooled = TorchSharp.torch.nn.functional.avg_pool2d(hr, 4);
            Assert.That((pooled - low).abs().max().item<float>(), Is.LessThanOrEqualTo((1f / 255) + 1e-6f), $"batch {batch}: the LR crop is the HR crop downscaled");

            // The crop is drawn before the flip, so each window is the unflipped one or its mirror image.
            for (var window = 0; window < hr.shape[0] / 3; window++)
            {
                var frames = hr[(window * 3)..((window + 1) * 3)];
                var unflipped = plainHr[(window * 3)..((window + 1) * 3)];
                if (frames.eq(unflipped).all().item<bool>())
                {
                    kept++;
                }
                else
                {
                    Assert.That(frames.eq(unflipped.flip(3)).all().item<bool>(), Is.True, $"batch {batch} window {window} is the plain window mirrored");
                    mirrored++;
                }
            }
        }

        Assert.That(flipping.Count, Is.EqualTo(10), "one window per frame");
        Assert.That((mirrored, kept), Is.Not.EqualTo((0, 10)).And.Not.EqualTo((10, 0)), "about half of the windows are flipped");
        TestContext.Out.WriteLine($"{mirrored} of 10 windows flipped");
    }

    private static (TorchSharp.torch.Tensor Hr, TorchSharp.torch.Tensor Lr) Batch(WindowDataset dataset, DataPosition position)
    {
        var indices = dataset.BatchIndices(position, 2);
        var (gt, lq) = (new float[indices.Count * 3 * 3 * 64 * 64], new float[indices.Count * 3 * 3 * 16 * 16]);
        for (var slot = 0; slot < indices.Count; slot++)
        {
            dataset.Fill(position, slot, indices[slot], 2, gt, lq);
        }

        return (TorchSharp.torch.tensor(gt, [indices.Count * 3, 3, 64, 64]), TorchSharp.torch.tensor(lq, [indices.Count * 3, 3, 16, 16]));
    }

    [Test]
    public void EpochsVisitEveryWindowOnceInASeededOrder()
    {
        SyntheticTrainingData.Write(Temp.Path, ["001", "002"], frames: 5, hrSize: 64);
        var dataset = Dataset(gtSize: 64);

        var first = dataset.EpochOrder(0);
        var second = dataset.EpochOrder(1);

        Assert.That(first.Order(), Is.EqualTo(Enumerable.Range(0, 10)));
        Assert.That(second.Order(), Is.EqualTo(Enumerable.Range(0, 10)));
        Assert.That(second, Is.Not.EqualTo(first), "each epoch has its own order");
        Assert.That(Dataset(gtSize: 64).EpochOrder(0), Is.EqualTo(first), "the order depends only on the seed and the epoch");
    }

    [Test]
    public void ThePrefetcherDeliversBatchesInOrderAcrossEpochsAsTheDatasetMakesThem()
    {
        SyntheticTrainingData.Write(Temp.Path, ["001"], frames: 3, hrSize: 64);
        var dataset = Dataset(gtSize: 64);
        using var prefetcher = new BatchPrefetcher(dataset, new DataPosition(0, 1), batchSize: 2, capacity: 1, workers: 2);

        var positions = Enumerable.Range(0, 4).Select(_ => prefetcher.Next(CancellationToken.None)).ToList();

        Assert.That(positions.Select(b => b.Position), Is.EqualTo(new[] { new DataPosition(0, 1), new DataPosition(1, 0), new DataPosition(1, 1), new DataPosition(2, 0) }));
        Assert.That(positions.Select(b => b.Count), Is.EqualTo(new[] { 1, 2, 1, 2 }), "the last batch of an epoch holds what is left (drop_last=False)");
        var expected = new float[positions[1].GroundTruth.Length];
        var indices = dataset.BatchIndices(new DataPosition(1, 0), 2);
        for (var slot = 0; slot < 2; slot++)
        {
            dataset.Fill(new DataPosition(1, 0), slot, indices[slot], 2, expected, new float[expected.Length / 16]);
        }

        Assert.That(positions[1].GroundTruth, Is.EqualTo(expected));
    }

    [Test]
    public void ACorruptFrameReachesTheTrainingThreadWithItsName()
    {
        SyntheticTrainingData.Write(Temp.Path, ["001"], frames: 3, hrSize: 64);
        File.WriteAllText(Temp.File("hr", "001", "00000001.png"), "not a png");
        using var prefetcher = new BatchPrefetcher(Dataset(gtSize: 64), new DataPosition(0, 0), batchSize: 3, capacity: 2, workers: 1);

        var error = Assert.Throws<InvalidInputException>(() => prefetcher.Next(CancellationToken.None));

        Assert.That(error!.Message, Does.Contain("00000001.png"));
    }

    private WindowDataset Dataset(int gtSize, bool flip = true) => new(
        TrainingDataIndex.Load(Temp.Path, null, ExcludedPartition.None, 3, NullLogger.Instance), gtSize, [1], flip, reverse: false, seed: 5);
}
