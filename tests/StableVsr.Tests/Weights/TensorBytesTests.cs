using StableVsr.Weights;
using TorchSharp;

namespace StableVsr.Tests.Weights;

public class TensorBytesTests
{
    [Test]
    public void ChunksCoverTheTensorInOrder()
    {
        using var source = torch.arange(1000, dtype: torch.float32).reshape(10, 100);
        var bytes = source.bytes.ToArray();
        using var destination = torch.zeros(10, 100);
        var offsets = new List<long>();

        TensorBytes.ForEachChunk(destination, (offset, span) =>
        {
            offsets.Add(offset);
            bytes.AsSpan((int)offset, span.Length).CopyTo(span);
        }, chunkBytes: 4 * 300);

        Assert.That(offsets, Is.EqualTo(new long[] { 0, 1200, 2400, 3600 }));
        Assert.That(destination.Equals(source), Is.True);
    }
}
