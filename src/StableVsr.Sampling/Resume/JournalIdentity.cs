using System.Globalization;

namespace StableVsr.Sampling.Resume;

/// <summary>
/// What a journal's run was made of: the input and the model (by their fingerprints) and every option that changes the
/// output. A resume is allowed only when all of them are the same, since only then is its output byte-identical.
/// </summary>
/// <param name="Input">The input, for messages.</param>
/// <param name="InputFingerprint">The input's fingerprint (see <see cref="IO.IFrameSource.FingerprintAsync"/>).</param>
/// <param name="ModelFingerprint">The model's fingerprint (see <see cref="Models.Loading.StableVsrModels.Fingerprint"/>).</param>
/// <param name="Options">The options that change the output, by name.</param>
internal sealed record JournalIdentity(string Input, string InputFingerprint, string ModelFingerprint, IReadOnlyDictionary<string, string> Options)
{
    /// <summary>The identity of a run of <paramref name="options"/> with a model and an input.</summary>
    /// <remarks>
    /// The state device, thread count and batching of several sequences change where and how fast the work runs, not
    /// its result, so they are left out: a run interrupted on one setting can resume on another.
    /// </remarks>
    /// <param name="options">The run's options.</param>
    /// <param name="modelFingerprint">The model's fingerprint.</param>
    /// <param name="input">The input, for messages.</param>
    /// <param name="inputFingerprint">The input's fingerprint.</param>
    /// <param name="range">The frame range of a range run (its output frames and warm-up); null for a whole sequence (no entry, as before ranges existed).</param>
    public static JournalIdentity For(UpscaleOptions options, string modelFingerprint, string input, string inputFingerprint, Segments.SequenceRange? range = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var values = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["Steps"] = Text(options.Steps),
            ["Seed"] = Text(options.Seed),
            ["Scheduler"] = options.Scheduler switch
            {
                null => "checkpoint",
                DdimSchedulerOptions ddim => $"{ddim.ClassName} eta={Text(ddim.Eta)}",
                var other => other.ClassName,
            },
            ["Device"] = options.Device.Kind == ComputeDeviceKind.Cpu ? "cpu" : "cuda",
            ["Precision"] = options.Precision.ToString(),
            ["Prompt"] = options.Prompt,
            ["RaftIterations"] = Text(options.RaftIterations),
            ["RaftNormalization"] = options.RaftNormalization.ToString(),
            ["NoiseLevel"] = Text(options.NoiseLevel),
            ["HalfPrecisionFlows"] = Text(options.HalfPrecisionFlows),
            ["VaeTileSize"] = options.VaeTileSize is { } tile ? Text(tile) : "none",
            ["WindowSize"] = Text(options.WindowSize),
            ["GuideAcrossWindows"] = Text(options.GuideAcrossWindows),
        };
        if (range is not null)
        {
            values["Range"] = range.ToString();
        }

        return new JournalIdentity(input, inputFingerprint, modelFingerprint, values);
    }

    /// <summary>How <paramref name="current"/> differs from this (the journal's) identity, one line per difference; empty when it does not.</summary>
    public IReadOnlyList<string> Differences(JournalIdentity current)
    {
        ArgumentNullException.ThrowIfNull(current);
        var differences = new List<string>();
        if (InputFingerprint != current.InputFingerprint)
        {
            differences.Add($"the input changed (the journal's run read '{Input}' as it was then; now '{current.Input}')");
        }

        if (ModelFingerprint != current.ModelFingerprint)
        {
            differences.Add("the model (its files, or the precision it is loaded in) is not the one the journal's run used");
        }

        foreach (var name in Options.Keys.Union(current.Options.Keys).Order(StringComparer.Ordinal))
        {
            var then = Options.GetValueOrDefault(name, "(not set)");
            var now = current.Options.GetValueOrDefault(name, "(not set)");
            if (then != now)
            {
                differences.Add($"option {name} was {then}, now {now}");
            }
        }

        return differences;
    }

    private static string Text(IFormattable value) => value.ToString(null, CultureInfo.InvariantCulture);

    private static string Text(bool value) => value ? "true" : "false";
}
