using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using StableVsr.IO;
using StableVsr.Tests.Support;

namespace StableVsr.Tests.IO;

public class ImageFolderTests
{
    private TempFolder temp = null!;
    private string folder = string.Empty;

    [SetUp]
    public void CreateFolder()
    {
        temp = new TempFolder();
        folder = temp.Path;
    }

    [TearDown]
    public void DeleteFolder() => temp.Dispose();

    private static VideoFrame Frame(int width, int height, int seed, int index, string? name = null)
    {
        var bytes = new byte[width * height * 3];
        new Random(seed).NextBytes(bytes);
        return new VideoFrame(width, height, bytes, index, name);
    }

    [Test]
    public async Task WritesAndReadsBackLosslessInNaturalOrder()
    {
        var output = new ImageFolderSink(Path.Combine(folder, "out"));
        var frames = new[] { Frame(9, 6, 1, 0, "f10.png"), Frame(9, 6, 2, 1, "f9.jpg"), Frame(9, 6, 3, 2, "f100.bmp") };
        foreach (var frame in frames)
        {
            await output.WriteAsync(frame);
        }

        await output.CompleteAsync();
        Assert.That(Directory.GetFiles(output.Folder).Select(Path.GetFileName), Is.EquivalentTo(new[] { "f10.png", "f9.png", "f100.png" }));
        Assert.That(output.WrittenFiles.Select(Path.GetFileName), Is.EqualTo(new[] { "f10.png", "f9.png", "f100.png" }), "written in frame order");
        var read = new List<VideoFrame>();
        await foreach (var frame in new ImageFolderSource(output.Folder).ReadAsync())
        {
            read.Add(frame);
        }

        Assert.That(read.Select(f => f.Name), Is.EqualTo(new[] { "f9.png", "f10.png", "f100.png" }));
        Assert.That(read.Select(f => f.Index), Is.EqualTo(new[] { 0, 1, 2 }));
        Assert.That(read[0].Rgb.ToArray(), Is.EqualTo(frames[1].Rgb.ToArray()));
        Assert.That(read[2].Rgb.ToArray(), Is.EqualTo(frames[2].Rgb.ToArray()));
    }

    [TestCase("jpg")]
    [TestCase("bmp")]
    public async Task ReadsJpegAndBmp(string extension)
    {
        using (var image = new Image<Rgb24>(8, 4, new Rgb24(200, 100, 50)))
        {
            await image.SaveAsync(Path.Combine(folder, "a." + extension));
        }

        var frame = ImageFolderSource.ReadFrame(Path.Combine(folder, "a." + extension));
        Assert.That((frame.Width, frame.Height), Is.EqualTo((8, 4)));
        Assert.That(frame.Rgb.Span[0], Is.InRange(195, 205));
    }

    [Test]
    public void CorruptImageIsNamed()
    {
        var path = Path.Combine(folder, "broken.png");
        File.WriteAllBytes(path, [0x89, 0x50, 0x4E, 0x47, 1, 2, 3]);
        var ex = Assert.ThrowsAsync<InvalidInputException>(async () =>
        {
            await foreach (var unused in new ImageFolderSource(folder).ReadAsync())
            {
            }
        });
        Assert.That(ex!.Message, Does.Contain("broken.png"));
    }

    [Test]
    public void EmptyOrMissingFolderIsRefused()
    {
        File.WriteAllText(Path.Combine(folder, "notes.txt"), "not a frame");
        Assert.That(Assert.Throws<InvalidInputException>(() => ImageFolderSource.ListFrameFiles(folder))!.Message, Does.Contain("no frames"));
        Assert.That(Assert.Throws<InvalidInputException>(() => ImageFolderSource.ListFrameFiles(Path.Combine(folder, "nope")))!.Message, Does.Contain("does not exist"));
    }

    [Test]
    public async Task MixedSizesNameBothFiles()
    {
        var writer = new ImageFolderSink(folder);
        await writer.WriteAsync(Frame(4, 4, 1, 0, "a1"));
        await writer.WriteAsync(Frame(4, 5, 2, 1, "a2"));
        var ex = Assert.ThrowsAsync<InvalidInputException>(async () =>
        {
            await foreach (var unused in new ImageFolderSource(folder).ReadAsync())
            {
            }
        });
        Assert.That(ex!.Message, Does.Contain("a2.png").And.Contain("a1.png"));
    }

    [Test]
    public void CancelledWriteLeavesNoFile()
    {
        var writer = new ImageFolderSink(folder);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.CatchAsync<OperationCanceledException>(async () => await writer.WriteAsync(Frame(64, 64, 1, 0, "x"), cts.Token));
        Assert.That(Directory.GetFiles(folder), Is.Empty);
    }
}
