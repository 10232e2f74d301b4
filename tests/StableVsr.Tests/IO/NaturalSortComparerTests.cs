using StableVsr.IO;

namespace StableVsr.Tests.IO;

public class NaturalSortComparerTests
{
    [Test]
    public void OrdersNumbersByValue()
    {
        string[] names = ["frame10.png", "frame2.png", "Frame1.png", "frame002.png", "frame_b.png", "frame_a.png", "frame99999999999999999999.png", "frame100000000000000000000.png"];
        var sorted = names.OrderBy(n => n, NaturalSortComparer.Instance).ToArray();
        Assert.That(sorted, Is.EqualTo(new[]
        {
            "Frame1.png", "frame002.png", "frame2.png", "frame10.png", "frame99999999999999999999.png", "frame100000000000000000000.png", "frame_a.png", "frame_b.png",
        }));
    }

    [Test]
    public void IsTotal()
    {
        var c = NaturalSortComparer.Instance;
        Assert.That(c.Compare("a01", "a1"), Is.Not.Zero);
        Assert.That(Math.Sign(c.Compare("a01", "a1")), Is.EqualTo(-Math.Sign(c.Compare("a1", "a01"))));
        Assert.That(c.Compare("x", "x"), Is.Zero);
        Assert.That(c.Compare(null, "x"), Is.Negative);
    }
}
