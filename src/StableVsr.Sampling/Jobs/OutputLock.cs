using System.Diagnostics;
using System.Globalization;
using StableVsr.IO;

namespace StableVsr.Sampling.Jobs;

/// <summary>
/// An exclusive claim on an output (or a journal folder), held for the whole of a run: the file <c>PATH.lock</c>
/// opened with <see cref="FileShare.None"/>, which .NET takes as an exclusive <c>flock</c> on Unix and a share-none open
/// on Windows. The kernel releases it when the process ends in any way (a SIGKILL, a power cut), so a lock left by a
/// killed run is taken over by the next one with nothing to clean. The holder's pid, host and start time are kept in
/// <c>PATH.lock.owner</c> (the lock file itself cannot be read while locked) for the refusal message. Releasing removes
/// both files while still holding the lock; a contender that opened the lock file just before it was removed finds its
/// lock on a removed file (Linux: <c>/proc/self/fd</c>) and tries again on the path's new file.
/// </summary>
internal sealed class OutputLock : IDisposable
{
    private const string OwnerSuffix = ".owner";
    private readonly FileStream stream;
    private readonly string path;
    private bool released;

    private OutputLock(FileStream stream, string path)
    {
        this.stream = stream;
        this.path = path;
    }

    /// <summary>The lock file of <paramref name="target"/> (a folder or file path): <c>TARGET.lock</c>.</summary>
    public static string PathFor(string target) => Path.GetFullPath(target).TrimEnd(Path.DirectorySeparatorChar) + ".lock";

    /// <summary>Claims <paramref name="target"/> for this run.</summary>
    /// <param name="target">The output or journal folder to claim; its lock file is <see cref="PathFor"/>.</param>
    /// <param name="what">What is claimed, for the refusal message ("the output 'x'").</param>
    /// <exception cref="OutputInUseException">Another live run holds it (the message names its pid, host and start).</exception>
    /// <exception cref="InvalidInputException">The lock file cannot be created.</exception>
    public static OutputLock Acquire(string target, string what)
    {
        var lockPath = PathFor(target);
        for (var attempt = 0; ; attempt++)
        {
            FileStream stream;
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(lockPath)!);
                stream = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException e) when (e is not (FileNotFoundException or DirectoryNotFoundException or PathTooLongException))
            {
                throw new OutputInUseException($"{what} is in use by another run ({DescribeOwner(lockPath)}): wait for it to finish or stop it; a lock left by a killed run is taken over by itself.", e);
            }
            catch (Exception e) when (e is UnauthorizedAccessException or DirectoryNotFoundException or PathTooLongException)
            {
                throw new InvalidInputException($"The lock file '{lockPath}' for {what} cannot be created: {e.Message}", e);
            }

            if (IsRemoved(stream) && attempt < 5)
            {
                // The previous holder removed the file between our open and our lock: ours is on a file nobody else sees.
                stream.Dispose();
                continue;
            }

            var claim = new OutputLock(stream, lockPath);
            claim.WriteOwner();
            return claim;
        }
    }

    /// <summary>Refuses at once, without keeping anything, when another live run holds <paramref name="target"/>.</summary>
    /// <exception cref="OutputInUseException">Another live run holds it.</exception>
    public static void ThrowIfHeld(string target, string what)
    {
        var lockPath = PathFor(target);
        if (!File.Exists(lockPath))
        {
            return;
        }

        try
        {
            using var stream = new FileStream(lockPath, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (e is not (FileNotFoundException or DirectoryNotFoundException))
        {
            throw new OutputInUseException($"{what} is in use by another run ({DescribeOwner(lockPath)}): wait for it to finish or stop it; a lock left by a killed run is taken over by itself.", e);
        }
        catch (UnauthorizedAccessException)
        {
            // Unreadable lock files are reported when the run claims the output.
        }
    }

    /// <summary>Removes the lock files and releases the lock.</summary>
    public void Dispose()
    {
        if (released)
        {
            return;
        }

        released = true;
        try
        {
            File.Delete(path + OwnerSuffix);
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left behind, the files are harmless: the next run takes the lock over.
        }

        stream.Dispose();
    }

    private static string DescribeOwner(string lockPath)
    {
        try
        {
            var owner = File.ReadAllText(lockPath + OwnerSuffix).Trim();
            return owner.Length > 0 ? owner : "its owner is not recorded yet";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "its owner is not recorded yet";
        }
    }

    // Linux names an open file that was unlinked "PATH (deleted)" in /proc/self/fd; elsewhere this is not checked.
    private static bool IsRemoved(FileStream stream)
    {
        var link = $"/proc/self/fd/{stream.SafeFileHandle.DangerousGetHandle().ToInt64().ToString(CultureInfo.InvariantCulture)}";
        try
        {
            return new FileInfo(link).LinkTarget is { } target && target.EndsWith(" (deleted)", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private void WriteOwner()
    {
        using var process = Process.GetCurrentProcess();
        var owner = string.Create(
            CultureInfo.InvariantCulture,
            $"pid {Environment.ProcessId} on {Environment.MachineName}, started {process.StartTime.ToUniversalTime():yyyy-MM-dd HH:mm:ss}Z");
        var temporary = path + OwnerSuffix + $".{Guid.NewGuid():N}.tmp";
        try
        {
            File.WriteAllText(temporary, owner + Environment.NewLine);
            File.Move(temporary, path + OwnerSuffix, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The lock holds without its description; a refused run then says the owner is not recorded.
            File.Delete(temporary);
        }
    }
}
