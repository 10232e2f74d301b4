using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using FFMpegCore;

namespace StableVsr.IO;

/// <summary>
/// Finds the system's ffmpeg and ffprobe, checks once per binary that ffmpeg is new enough and has the encoders asked
/// for, and hands FFMpegCore the options that point at them. The binaries are looked up in FFMpegCore's
/// <see cref="FFOptions.BinaryFolder"/> when one is set (a host sets it through <see cref="GlobalFFOptions.Configure(FFOptions)"/>),
/// else on PATH. FFMpegCore itself falls back to PATH when the folder lacks them; looking here first lets the error say
/// exactly where ffmpeg was expected.
/// </summary>
internal sealed partial class FFmpegTools
{
    /// <summary>The oldest FFmpeg the video code is tested with (Debian 12's 5.1): its libavformat version.</summary>
    internal static readonly Version MinimumLibavformat = new(59, 27);

    internal const string MinimumVersionText = "5.1";

    private static readonly ConcurrentDictionary<string, Lazy<Task<string>>> VersionChecks = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, Lazy<Task<string>>> EncoderLists = new(StringComparer.Ordinal);

    private readonly FFOptions options;

    /// <summary>Tools as FFMpegCore's global options configure them (a copy taken now).</summary>
    public FFmpegTools()
        : this(GlobalFFOptions.Current.Clone())
    {
    }

    /// <summary>Tools that look for the binaries in <paramref name="options"/>' binary folder (or on PATH when it is empty).</summary>
    public FFmpegTools(FFOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.options = options;
    }

    /// <summary>The options to give FFMpegCore's calls.</summary>
    public FFOptions Options => options;

    /// <summary>How to install FFmpeg on each platform, for error messages.</summary>
    public static string InstallHint =>
        "Install FFmpeg " + MinimumVersionText + " or newer: Debian/Ubuntu 'sudo apt-get install ffmpeg', macOS 'brew install ffmpeg', " +
        "Windows 'winget install Gyan.FFmpeg' (then open a new terminal so PATH is updated); or point FFMpegCore's " +
        "GlobalFFOptions.BinaryFolder at a folder holding ffmpeg and ffprobe. Image folders work without FFmpeg.";

    /// <summary>The path of ffmpeg, checked to exist, to be new enough and to run.</summary>
    /// <exception cref="InvalidInputException">ffmpeg is missing, does not run, or is older than 5.1.</exception>
    public async Task<string> FFmpegAsync(CancellationToken cancellationToken)
    {
        var path = Locate("ffmpeg");
        await VersionChecks.GetOrAdd(path, p => new Lazy<Task<string>>(() => CheckVersionAsync(p))).Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        return path;
    }

    /// <summary>The path of ffprobe, checked to exist; ffmpeg is checked too (both come from one FFmpeg install).</summary>
    /// <exception cref="InvalidInputException">ffprobe or ffmpeg is missing, or ffmpeg is too old.</exception>
    public async Task<string> FFprobeAsync(CancellationToken cancellationToken)
    {
        var path = Locate("ffprobe");
        await FFmpegAsync(cancellationToken).ConfigureAwait(false);
        return path;
    }

    /// <summary>Fails unless this ffmpeg has the encoder <paramref name="encoder"/> (libx264, libx265, ffv1).</summary>
    /// <exception cref="InvalidInputException">The encoder is not part of this ffmpeg build.</exception>
    public async Task RequireEncoderAsync(string encoder, CancellationToken cancellationToken)
    {
        var ffmpeg = await FFmpegAsync(cancellationToken).ConfigureAwait(false);
        var list = await EncoderLists.GetOrAdd(ffmpeg, p => new Lazy<Task<string>>(() => RunAsync(p, "-hide_banner -encoders"))).Value
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        if (!Regex.IsMatch(list, $@"^\s*V\S*\s+{Regex.Escape(encoder)}\s", RegexOptions.Multiline))
        {
            throw new InvalidInputException(
                $"The ffmpeg at '{ffmpeg}' has no '{encoder}' encoder (it was built without it). Install an FFmpeg build that includes it " +
                "(Debian's and Homebrew's do), or choose another codec.");
        }
    }

    /// <summary>Reads the libavformat version from <c>ffmpeg -version</c> output ("libavformat    59. 27.100 / ...").</summary>
    internal static Version? ParseLibavformatVersion(string versionOutput)
    {
        var match = LibavformatLine().Match(versionOutput);
        return match.Success
            ? new Version(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture))
            : null;
    }

    private string Locate(string tool)
    {
        var fileName = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? tool + ".exe" : tool;
        if (!string.IsNullOrEmpty(options.BinaryFolder))
        {
            var inFolder = Path.Combine(options.BinaryFolder, fileName);
            return File.Exists(inFolder)
                ? inFolder
                : throw new InvalidInputException($"{tool} was not found in '{options.BinaryFolder}' (FFMpegCore's GlobalFFOptions.BinaryFolder). {InstallHint}");
        }

        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, fileName))
            .FirstOrDefault(File.Exists);
        return onPath ?? throw new InvalidInputException($"{tool} was not found on PATH; reading and writing video files needs it. {InstallHint}");
    }

    private static async Task<string> CheckVersionAsync(string ffmpeg)
    {
        var output = await RunAsync(ffmpeg, "-version").ConfigureAwait(false);
        var banner = output.Split('\n', 2)[0].Trim();
        var libavformat = ParseLibavformatVersion(output);
        if (libavformat is null)
        {
            throw new InvalidInputException($"'{ffmpeg} -version' did not print a libavformat version, so it does not look like FFmpeg (it printed '{banner}'). {InstallHint}");
        }

        if (libavformat < MinimumLibavformat)
        {
            throw new InvalidInputException(
                $"The ffmpeg at '{ffmpeg}' is too old: '{banner}' (libavformat {libavformat}). StableVsr needs FFmpeg {MinimumVersionText} or newer " +
                $"(libavformat {MinimumLibavformat} or newer). {InstallHint}");
        }

        return banner;
    }

    private static async Task<string> RunAsync(string path, string arguments)
    {
        var start = new ProcessStartInfo(path, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        try
        {
            using var process = Process.Start(start) ?? throw new InvalidInputException($"'{path}' could not be started. {InstallHint}");
            process.StandardInput.Close();
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                throw new InvalidInputException($"'{path} {arguments}' failed (exit code {process.ExitCode}): {(await error.ConfigureAwait(false)).Trim()} {InstallHint}");
            }

            return await output.ConfigureAwait(false);
        }
        catch (Win32Exception e)
        {
            throw new InvalidInputException($"'{path}' could not be run: {e.Message}. {InstallHint}", e);
        }
    }

    [GeneratedRegex(@"^\s*libavformat\s+(\d+)\.\s*(\d+)\.", RegexOptions.Multiline)]
    private static partial Regex LibavformatLine();
}
