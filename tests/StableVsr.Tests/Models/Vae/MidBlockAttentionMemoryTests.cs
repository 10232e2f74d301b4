using StableVsr.Models.Blocks;
using TorchSharp;

namespace StableVsr.Tests.Models.Vae;

/// <summary>
/// The VAE mid-block attends over every latent pixel (57,600 tokens for a 720p output). Through
/// scaled_dot_product_attention its memory must stay linear in the tokens: a materialised attention matrix for
/// 16,384 tokens alone would take 1 GiB.
/// </summary>
public class MidBlockAttentionMemoryTests
{
    private const int Side = 128;
    private const long QuadraticBytes = (long)Side * Side * Side * Side * sizeof(float);

    [Test]
    public void PeakMemoryStaysFarBelowAnAttentionMatrix()
    {
        using var noGrad = torch.no_grad();
        using var attention = new Attention(new AttentionOptions(32, 1, 32, Bias: true, NormGroups: 8, NormEps: 1e-6, ResidualConnection: true));
        using var pixels = torch.randn(1, 32, Side, Side);

        var start = Environment.WorkingSet;
        var peak = start;
        var finished = false;
        var sampler = new Thread(() =>
        {
            while (!Volatile.Read(ref finished))
            {
                Interlocked.Exchange(ref peak, Math.Max(Interlocked.Read(ref peak), Environment.WorkingSet));
                Thread.Sleep(1);
            }
        });
        sampler.Start();
        using (var output = attention.forward(pixels, null))
        {
            Assert.That(output.shape, Is.EqualTo(pixels.shape));
        }

        Volatile.Write(ref finished, true);
        sampler.Join();
        var growth = Interlocked.Read(ref peak) - start;
        TestContext.Out.WriteLine($"{Side * Side} tokens: peak resident growth {growth / 1048576.0:F1} MB (an attention matrix would be {QuadraticBytes / 1048576.0:F0} MB)");
        Assert.That(growth, Is.LessThan(QuadraticBytes / 4));
    }
}
