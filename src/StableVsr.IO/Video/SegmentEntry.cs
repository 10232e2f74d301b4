namespace StableVsr.IO;

/// <summary>One committed segment: its file name in the work folder and its number of frames.</summary>
internal sealed record SegmentEntry(string File, int Frames);
