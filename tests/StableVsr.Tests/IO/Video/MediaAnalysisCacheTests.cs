using Microsoft.Extensions.Logging.Abstractions;
using StableVsr.IO;
using StableVsr.Tests.Support;

namespace StableVsr.Tests.IO.Video;

/// <summary>
/// A video probed again while unchanged is not read through again: the analysis kept from the first probe answers (one
/// with packet counts also answers a probe without them, not the other way round); a file rewritten since, or truncated
/// in place, is probed anew and its new content is what the job sees. Runs alone: the cache is the process's, and
/// video classes beside it would add their own files to it.
/// </summary>
[Category("Video")]
public class MediaAnalysisCacheTests : TempFolderTests
{
    [Test]
    public async Task AnUnchangedFileIsAnsweredFromTheFirstProbeAndAChangedOneIsProbedAgain()
    {
        var tools = new FFmpegTools();
        var path = TestMedia.PatternWithAudio(Temp.File("clip.mp4"), frames: 3);

        var withoutCounts = await VideoProbe.AnalyseAsync(tools, path, countPackets: false, CancellationToken.None);
        Assert.That(MediaAnalysisCache.TryGet(MediaAnalysisCache.Stamp(path), countPackets: true, out _), Is.False, "an analysis without packet counts does not answer one with them");
        var counted = await VideoProbe.AnalyseAsync(tools, path, countPackets: true, CancellationToken.None);
        Assert.That(counted, Is.Not.SameAs(withoutCounts));
        Assert.That(await VideoProbe.AnalyseAsync(tools, path, countPackets: true, CancellationToken.None), Is.SameAs(counted), "probed again unchanged: the kept analysis");
        Assert.That(await VideoProbe.AnalyseAsync(tools, path, countPackets: false, CancellationToken.None), Is.SameAs(counted), "packet counts answer a probe without them");
        Assert.That((await VideoProbe.ProbeAsync(tools, path, NullLogger.Instance, CancellationToken.None)).FrameCount, Is.EqualTo(3));

        // The same name, other content: 5 frames now.
        File.Delete(path);
        TestMedia.PatternWithAudio(path, frames: 5);
        var rewritten = await VideoProbe.ProbeAsync(tools, path, NullLogger.Instance, CancellationToken.None);
        Assert.That(rewritten.FrameCount, Is.EqualTo(5), "the rewritten file is probed anew");

        // Cut short in place: a smaller file is refused as ffprobe finds it, not answered from before.
        var bytes = await File.ReadAllBytesAsync(path);
        await File.WriteAllBytesAsync(path, bytes[..(bytes.Length / 3)]);
        Assert.ThrowsAsync<InvalidInputException>(() => VideoProbe.ProbeAsync(tools, path, NullLogger.Instance, CancellationToken.None));
    }

    [Test]
    public async Task AtMostCapacityFilesAreKeptTheOldestGoingFirst()
    {
        var tools = new FFmpegTools();
        var first = TestMedia.PatternWithAudio(Temp.File("first.mp4"), frames: 1);
        var kept = await VideoProbe.AnalyseAsync(tools, first, countPackets: false, CancellationToken.None);
        var other = await VideoProbe.AnalyseAsync(tools, first, countPackets: false, CancellationToken.None);
        Assert.That(other, Is.SameAs(kept));

        // Capacity other stamps of files that need not exist: only the cache's bookkeeping is tested here.
        for (var i = 0; i < MediaAnalysisCache.Capacity; i++)
        {
            MediaAnalysisCache.Add(new MediaAnalysisCache.FileStamp(Temp.File($"other-{i}.mp4"), i, i), countedPackets: false, kept);
        }

        Assert.That(MediaAnalysisCache.TryGet(MediaAnalysisCache.Stamp(first), countPackets: false, out _), Is.False, "the oldest file went");
        Assert.That(await VideoProbe.AnalyseAsync(tools, first, countPackets: false, CancellationToken.None), Is.Not.SameAs(kept), "probed again");
    }
}
