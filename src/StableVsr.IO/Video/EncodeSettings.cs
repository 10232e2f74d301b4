using System.Globalization;

namespace StableVsr.IO;

/// <summary>
/// Everything that decides the bytes of an encoded segment: codec, quality, frame rate and frame size. Segments of one
/// output must all be encoded with the same settings to be joined without re-encoding, so the manifest records them and
/// a resume compares them.
/// </summary>
internal sealed record EncodeSettings(VideoCodec Codec, int Crf, string Preset, VideoRational FrameRate, int Width, int Height)
{
    /// <summary>The x264/x265 presets (slowest last).</summary>
    public static readonly IReadOnlyList<string> Presets = ["ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow", "placebo"];

    /// <summary>The FFmpeg encoder of the codec.</summary>
    public string Encoder => Codec switch
    {
        VideoCodec.H264 => "libx264",
        VideoCodec.H265 => "libx265",
        _ => "ffv1",
    };

    /// <summary>
    /// The stored pixel format: planar RGB for FFV1 (lossless), 4:2:0 for H.264/H.265, or 4:4:4 when a side is odd
    /// (4:2:0 needs even sides; 4:4:4 keeps the size exact instead of padding or cropping).
    /// </summary>
    public string PixelFormat => Codec == VideoCodec.Ffv1 ? "gbrp" : (Width % 2 == 0 && Height % 2 == 0 ? "yuv420p" : "yuv444p");

    /// <summary>The codec, quality and rate, without the size (for comparing with a manifest before the first frame is known).</summary>
    public string Identity => Codec == VideoCodec.Ffv1
        ? string.Create(CultureInfo.InvariantCulture, $"{Encoder} @{FrameRate}")
        : string.Create(CultureInfo.InvariantCulture, $"{Encoder} crf={Crf} preset={Preset} @{FrameRate}");

    /// <summary>The settings for options <paramref name="options"/> at <paramref name="frameRate"/>, size still unknown.</summary>
    /// <exception cref="InvalidInputException">CRF or preset out of range.</exception>
    public static EncodeSettings From(VideoEncodeOptions options, VideoRational frameRate)
    {
        var crf = options.Crf ?? (options.Codec == VideoCodec.H265 ? 22 : 18);
        if (crf is < 0 or > 51)
        {
            throw new InvalidInputException($"CRF {crf} is out of range: give 0 (best, largest) to 51 (worst, smallest); 18 is near-lossless for H.264.");
        }

        if (!Presets.Contains(options.Preset))
        {
            throw new InvalidInputException($"Preset '{options.Preset}' is not an x264/x265 preset; use one of {string.Join(", ", Presets)}.");
        }

        if (!frameRate.IsPositive)
        {
            throw new InvalidInputException($"Frame rate {frameRate} is not positive.");
        }

        if (options.TimeBase is { } timeBase && (timeBase.Numerator != 1 || timeBase.Denominator < 1))
        {
            throw new InvalidInputException($"Time base {timeBase} is not of the form 1/N (an MP4/MOV track timescale), such as 1/30000 or 1/12800.");
        }

        return new EncodeSettings(options.Codec, crf, options.Preset, frameRate, 0, 0);
    }

    /// <summary>ffmpeg's input options for raw frames on the pipe.</summary>
    public string RawInputArguments => string.Create(CultureInfo.InvariantCulture, $"-f rawvideo -pix_fmt rgb24 -video_size {Width}x{Height} -framerate {FrameRate}");

    /// <summary>
    /// ffmpeg's output options for one segment: the codec, and NUT as the segment container (exact timestamps in the
    /// rate's own time base, global headers, every codec used here). H.264/H.265 convert RGB with the BT.709 matrix to
    /// limited range and tag it so, as players assume for HD; bitexact flags leave out version strings and random ids, so
    /// the same frames always give the same bytes.
    /// </summary>
    public string SegmentOutputArguments
    {
        get
        {
            var codec = Codec switch
            {
                VideoCodec.Ffv1 => "-c:v ffv1 -level 3 -g 1 -slicecrc 1 -pix_fmt gbrp",
                _ => string.Create(CultureInfo.InvariantCulture, $"-c:v {Encoder} -preset {Preset} -crf {Crf} ") +
                    $"-vf scale=out_color_matrix=bt709:out_range=tv -pix_fmt {PixelFormat} " +
                    "-colorspace bt709 -color_primaries bt709 -color_trc bt709 -color_range tv" +
                    (Codec == VideoCodec.H265 ? " -x265-params log-level=error" : string.Empty),
            };
            return $"-map 0:v {codec} -flags:v +global_header+bitexact -fflags +bitexact -f nut";
        }
    }
}
