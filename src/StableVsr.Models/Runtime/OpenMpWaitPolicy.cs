using System.Runtime.InteropServices;

namespace StableVsr.Models.Runtime;

/// <summary>
/// Makes libtorch's OpenMP threads sleep instead of spinning while they wait (OMP_WAIT_POLICY=PASSIVE), unless the
/// process environment already says otherwise. libgomp's default spins at every barrier between and inside operators;
/// a CPU profile of the denoising step showed 49% of the process's samples in that spin, and with PASSIVE the step took
/// a third of the CPU time and of the wall time on a shared 2-core machine (bench/StableVsr.Benchmarks/README.md). libgomp
/// reads the variable once, when libtorch is loaded, from the native environment (which .NET's
/// Environment.SetEnvironmentVariable does not change on Unix), so this must run before the first TorchSharp call.
/// </summary>
internal static class OpenMpWaitPolicy
{
    /// <summary>The variable libgomp (and LLVM's libomp) read.</summary>
    public const string Variable = "OMP_WAIT_POLICY";

    /// <summary>Sets OMP_WAIT_POLICY=PASSIVE in the native environment when it is not set; returns the policy in force.</summary>
    public static string PreferPassive()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } chosen)
        {
            return chosen;
        }

        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            // overwrite = 0: a value set natively by the host in the meantime is kept.
            _ = SetEnv(Variable, "PASSIVE", 0);
        }

        Environment.SetEnvironmentVariable(Variable, "PASSIVE");
        return "PASSIVE";
    }

    [DllImport("libc", EntryPoint = "setenv", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int SetEnv(string name, string value, int overwrite);
}
