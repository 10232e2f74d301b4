using FFMpegCore;

namespace StableVsr.IO;

/// <summary>
/// ffprobe's analyses of the files this process probed, for as long as a file keeps its size and modification time: a
/// job probes its input several times (the planner counts its frames, the source opens it, the sink copies its streams
/// and metadata), and with packet counting each probe reads the whole file through. An analysis made with packet
/// counting also answers a probe without it. At most <see cref="Capacity"/> files are kept; the oldest goes first.
/// </summary>
internal static class MediaAnalysisCache
{
    /// <summary>Files kept.</summary>
    public const int Capacity = 16;

    private static readonly object Gate = new();
    private static readonly LinkedList<Entry> Entries = new();

    /// <summary>The size and modification time of <paramref name="path"/> now, taken before it is probed.</summary>
    public static FileStamp Stamp(string path)
    {
        var file = new FileInfo(path);
        return new FileStamp(file.FullName, file.Length, file.LastWriteTimeUtc.Ticks);
    }

    /// <summary>An analysis of the file as <paramref name="stamp"/> describes it, with packet counts when asked for.</summary>
    public static bool TryGet(FileStamp stamp, bool countPackets, out IMediaAnalysis analysis)
    {
        lock (Gate)
        {
            foreach (var entry in Entries)
            {
                if (entry.Answers(stamp, countPackets))
                {
                    analysis = entry.Analysis;
                    return true;
                }
            }
        }

        analysis = null!;
        return false;
    }

    /// <summary>Keeps <paramref name="analysis"/> of the file as it was at <paramref name="stamp"/> (taken before the probe began).</summary>
    public static void Add(FileStamp stamp, bool countedPackets, IMediaAnalysis analysis)
    {
        lock (Gate)
        {
            // What is kept of the file as it is now answers everything this analysis would: keep that.
            if (Entries.Any(e => e.Answers(stamp, countedPackets)))
            {
                return;
            }

            // Any other analysis of the file is of an older version, or answers less.
            for (var node = Entries.First; node is not null;)
            {
                var next = node.Next;
                if (node.Value.Stamp.Path == stamp.Path)
                {
                    Entries.Remove(node);
                }

                node = next;
            }

            Entries.AddFirst(new Entry(stamp, countedPackets, analysis));
            while (Entries.Count > Capacity)
            {
                Entries.RemoveLast();
            }
        }
    }

    /// <summary>A file's full path, size and modification time (UTC ticks).</summary>
    internal readonly record struct FileStamp(string Path, long Length, long LastWriteTicks);

    private sealed record Entry(FileStamp Stamp, bool CountedPackets, IMediaAnalysis Analysis)
    {
        // An analysis of the file as it is now answers a probe without packet counts, and one with them if it counted.
        public bool Answers(FileStamp stamp, bool countPackets) => Stamp == stamp && (CountedPackets || !countPackets);
    }
}
