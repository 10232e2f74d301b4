using TorchSharp;

namespace StableVsr.Tests.Core;

public class TorchSharpLoadsTests
{
    [Test]
    public void ComputesOnCpu()
    {
        using var a = torch.arange(6, dtype: torch.float32).reshape(2, 3);
        using var b = a.matmul(a.t());
        Assert.That(b[1, 1].item<float>(), Is.EqualTo(9f + 16f + 25f));
    }
}
