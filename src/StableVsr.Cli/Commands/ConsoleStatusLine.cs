using System.Globalization;

namespace StableVsr.Cli.Commands;

/// <summary>
/// What every progress display of the CLI shares: one status line redrawn in place on a terminal (or printed as a new
/// line when the output is redirected), and durations written as mm:ss or h:mm:ss.
/// </summary>
internal static class ConsoleStatusLine
{
    /// <summary>
    /// Writes <paramref name="line"/>: on a terminal over the previous one (padded to <paramref name="padTo"/> columns so
    /// a shorter line leaves nothing behind), ending the line when <paramref name="final"/>; otherwise as a line of its own.
    /// </summary>
    public static void Write(TextWriter writer, bool interactive, string line, bool final, int padTo = 0)
    {
        lock (writer)
        {
            if (interactive)
            {
                writer.Write("\r" + line.PadRight(padTo));
                if (final)
                {
                    writer.WriteLine();
                }
            }
            else
            {
                writer.WriteLine(line);
            }
        }
    }

    /// <summary>The terminal's width less one column (80 less one when it cannot be read).</summary>
    public static int TerminalWidth()
    {
        try
        {
            return Math.Max(0, Console.WindowWidth - 1);
        }
        catch (IOException)
        {
            return 79;
        }
    }

    /// <summary>A duration as mm:ss, or h:mm:ss from an hour on.</summary>
    public static string Format(TimeSpan t) => t.TotalHours >= 1
        ? t.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture)
        : t.ToString(@"mm\:ss", CultureInfo.InvariantCulture);
}
