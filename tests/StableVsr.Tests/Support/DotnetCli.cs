using System.Diagnostics;

namespace StableVsr.Tests.Support;

/// <summary>Runs the dotnet CLI for tests that check what users do with the packages.</summary>
public static class DotnetCli
{
    /// <summary>Runs <c>dotnet</c> with <paramref name="arguments"/> in <paramref name="workingDirectory"/>; returns exit code and output.</summary>
    public static (int ExitCode, string Output) Run(string workingDirectory, TimeSpan timeout, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"dotnet {string.Join(' ', arguments)} did not finish within {timeout}.");
        }

        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
