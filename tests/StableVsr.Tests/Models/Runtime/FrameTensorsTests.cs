using StableVsr.Models.Runtime;
using TorchSharp;

namespace StableVsr.Tests.Models.Runtime;

public class FrameTensorsTests
{
    private static VideoFrame RandomFrame(int width, int height, int seed, int index = 0)
    {
        var bytes = new byte[width * height * 3];
        new Random(seed).NextBytes(bytes);
        return new VideoFrame(width, height, bytes, index);
    }

    [TestCase(PixelRange.MinusOneToOne)]
    [TestCase(PixelRange.ZeroToOne)]
    public void RoundTripsEveryByte(object pixelRange)
    {
        var range = (PixelRange)pixelRange;
        var frames = new[] { RandomFrame(7, 5, 1, 0), RandomFrame(7, 5, 2, 1) };
        using var tensor = FrameTensors.ToTensor(frames, range);
        Assert.That(tensor.shape, Is.EqualTo(new long[] { 2, 3, 5, 7 }));
        var back = FrameTensors.ToFrames(tensor, range, firstIndex: 0);
        Assert.That(back, Has.Count.EqualTo(2));
        for (var i = 0; i < 2; i++)
        {
            Assert.That(back[i].Rgb.ToArray(), Is.EqualTo(frames[i].Rgb.ToArray()));
            Assert.That(back[i].Index, Is.EqualTo(i));
        }
    }

    [Test]
    public void MapsBytesToTheReferenceRange()
    {
        var frame = new VideoFrame(2, 1, new byte[] { 0, 255, 51, 128, 0, 255 });
        using var minusOne = FrameTensors.ToTensor([frame], PixelRange.MinusOneToOne);
        using var unit = FrameTensors.ToTensor([frame], PixelRange.ZeroToOne);
        // Channel-first: pixel (0,0) is R=0,G=255,B=51.
        Assert.That(minusOne[0, 0, 0, 0].item<float>(), Is.EqualTo(-1f));
        Assert.That(minusOne[0, 1, 0, 0].item<float>(), Is.EqualTo(1f));
        Assert.That(unit[0, 2, 0, 0].item<float>(), Is.EqualTo(51f / 255f));
        Assert.That(minusOne[0, 0, 0, 1].item<float>(), Is.EqualTo((128f / 255f * 2f) - 1f));
    }

    [Test]
    public void ClampsAndRoundsLikeTheReference()
    {
        using var values = torch.tensor(new float[] { -0.5f, 1.7f, 0.5f / 255f, 1.5f / 255f, 2.5f / 255f, 0.2f }).reshape(1, 3, 1, 2);
        var frame = FrameTensors.ToFrames(values, PixelRange.ZeroToOne).Single();
        // round half to even, as numpy's round in diffusers' numpy_to_pil.
        Assert.That(frame.Rgb.ToArray(), Is.EqualTo(new byte[] { 0, 0, 2, 255, 2, 51 }));
    }

    [Test]
    public void RefusesMixedSizesAndEmptyInput()
    {
        Assert.Throws<InvalidInputException>(() => FrameTensors.ToTensor(Array.Empty<VideoFrame>()));
        var ex = Assert.Throws<InvalidInputException>(() => FrameTensors.ToTensor([RandomFrame(4, 4, 1), RandomFrame(4, 5, 2, 1)]));
        Assert.That(ex!.Message, Does.Contain("same size"));
        using var wrong = torch.zeros(1, 4, 2, 2);
        Assert.Throws<InvalidInputException>(() => FrameTensors.ToFrames(wrong));
    }

    [Test]
    public void RefusesInconsistentFrames()
    {
        Assert.Throws<InvalidInputException>(() => _ = new VideoFrame(2, 2, new byte[11]));
        Assert.Throws<InvalidInputException>(() => _ = new VideoFrame(0, 2, Array.Empty<byte>()));
        Assert.Throws<InvalidInputException>(() => _ = new VideoFrame(1, 1, new byte[3], index: -1));
    }
}
