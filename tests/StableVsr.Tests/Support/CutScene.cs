namespace StableVsr.Tests.Support;

/// <summary>
/// A sequence of two shots: the moving scene, then from frame <c>cutAt</c> on another moving scene in inverted colours
/// (a different look, as after a real cut), named f000.png, f001.png, ... throughout.
/// </summary>
public static class CutScene
{
    /// <summary>Frame <paramref name="i"/> of the sequence.</summary>
    public static VideoFrame Frame(int i, int cutAt, int width = 32, int height = 32)
    {
        if (i < cutAt)
        {
            return MovingScene.Frame(i, width, height, seed: 1);
        }

        var other = MovingScene.Frame(i, width, height, seed: 2);
        return new VideoFrame(width, height, other.Rgb.ToArray().Select(v => (byte)(255 - v)).ToArray(), i, other.Name);
    }

    /// <summary>Writes <paramref name="count"/> frames as PNGs into <paramref name="folder"/> and returns the folder.</summary>
    public static string WriteFolder(string folder, int count, int cutAt, int width = 32, int height = 32)
    {
        Directory.CreateDirectory(folder);
        var sink = new StableVsr.IO.ImageFolderSink(folder);
        for (var i = 0; i < count; i++)
        {
            sink.WriteAsync(Frame(i, cutAt, width, height)).AsTask().GetAwaiter().GetResult();
        }

        return folder;
    }
}
