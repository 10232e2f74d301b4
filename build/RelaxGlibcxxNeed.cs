// MSBuild inline task (RoslynCodeTaskFactory), compiled by MSBuild at build time; not part of any assembly.
// It edits two fields of an ELF64 little-endian shared object in place of a patchelf dependency:
//  1. the Vernaux entry that names GLIBCXX_3.4.32 gets VER_FLG_WEAK, so a missing version is not fatal;
//  2. every dynamic symbol bound to that version gets VER_NDX_GLOBAL, so no lookup asks for it.
// The file is rewritten through a temporary file and a rename, which also breaks any hard link into the
// NuGet cache, so the package cache is never modified.
using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public sealed class StableVsrRelaxGlibcxxNeed : Task
{
    private const string LibraryName = "libLibTorchSharp.so";
    private const string Version = "GLIBCXX_3.4.32";
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const uint ShtGnuVersym = 0x6fffffff;
    private const ushort VerFlgWeak = 0x2;

    [Required]
    public string[] Directories { get; set; } = Array.Empty<string>();

    public override bool Execute()
    {
        if (SystemLibstdcxxHasVersion())
        {
            Log.LogMessage(MessageImportance.Low, "System libstdc++ provides " + Version + "; nothing to relax.");
            return true;
        }

        foreach (var directory in Directories)
        {
            if (string.IsNullOrWhiteSpace(directory) || !System.IO.Directory.Exists(directory))
            {
                continue;
            }

            foreach (var candidate in new[]
                     {
                         Path.Combine(directory, LibraryName),
                         Path.Combine(directory, "runtimes", "linux-x64", "native", LibraryName),
                     })
            {
                if (File.Exists(candidate))
                {
                    try
                    {
                        Relax(candidate);
                    }
                    catch (Exception e) when (e is IOException || e is InvalidDataException || e is UnauthorizedAccessException)
                    {
                        Log.LogError("Could not relax the " + Version + " need of " + candidate + ": " + e.Message);
                        return false;
                    }
                }
            }
        }

        return !Log.HasLoggedErrors;
    }

    private static bool SystemLibstdcxxHasVersion()
    {
        var needle = Encoding.ASCII.GetBytes(Version + "\0");
        foreach (var path in new[]
                 {
                     "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
                     "/usr/lib64/libstdc++.so.6", "/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6",
                     "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
                 })
        {
            if (File.Exists(path))
            {
                return IndexOf(File.ReadAllBytes(path), needle) >= 0;
            }
        }

        // No system libstdc++ found where expected: leave the library as shipped.
        return true;
    }

    private void Relax(string path)
    {
        var elf = File.ReadAllBytes(path);
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
        {
            throw new InvalidDataException("not an ELF file");
        }

        if (elf[4] != 2 || elf[5] != 1)
        {
            throw new InvalidDataException("only 64-bit little-endian ELF is supported");
        }

        var shoff = (long)BitConverter.ToUInt64(elf, 0x28);
        int shentsize = BitConverter.ToUInt16(elf, 0x3a);
        int shnum = BitConverter.ToUInt16(elf, 0x3c);
        long verneedOff = -1, verneedSize = 0, versymOff = -1, versymSize = 0;
        int verneedLink = -1;
        for (var i = 0; i < shnum; i++)
        {
            var sh = shoff + (long)i * shentsize;
            var type = BitConverter.ToUInt32(elf, (int)sh + 4);
            if (type == ShtGnuVerneed)
            {
                verneedOff = (long)BitConverter.ToUInt64(elf, (int)sh + 0x18);
                verneedSize = (long)BitConverter.ToUInt64(elf, (int)sh + 0x20);
                verneedLink = (int)BitConverter.ToUInt32(elf, (int)sh + 0x28);
            }
            else if (type == ShtGnuVersym)
            {
                versymOff = (long)BitConverter.ToUInt64(elf, (int)sh + 0x18);
                versymSize = (long)BitConverter.ToUInt64(elf, (int)sh + 0x20);
            }
        }

        if (verneedOff < 0 || versymOff < 0 || verneedLink < 0)
        {
            return;
        }

        var strtabSh = shoff + (long)verneedLink * shentsize;
        var strtabOff = (long)BitConverter.ToUInt64(elf, (int)strtabSh + 0x18);
        var changed = false;
        var versionIndex = -1;
        var need = verneedOff;
        while (need < verneedOff + verneedSize)
        {
            int count = BitConverter.ToUInt16(elf, (int)need + 2);
            var aux = need + BitConverter.ToUInt32(elf, (int)need + 8);
            for (var a = 0; a < count; a++)
            {
                var name = ReadString(elf, strtabOff + BitConverter.ToUInt32(elf, (int)aux + 8));
                if (name == Version)
                {
                    var flags = BitConverter.ToUInt16(elf, (int)aux + 4);
                    versionIndex = BitConverter.ToUInt16(elf, (int)aux + 6);
                    if ((flags & VerFlgWeak) == 0)
                    {
                        WriteUInt16(elf, aux + 4, (ushort)(flags | VerFlgWeak));
                        changed = true;
                    }
                }

                aux += BitConverter.ToUInt32(elf, (int)aux + 12);
            }

            var next = BitConverter.ToUInt32(elf, (int)need + 12);
            if (next == 0)
            {
                break;
            }

            need += next;
        }

        if (versionIndex < 0)
        {
            return;
        }

        for (var entry = versymOff; entry < versymOff + versymSize; entry += 2)
        {
            if ((BitConverter.ToUInt16(elf, (int)entry) & 0x7fff) == versionIndex)
            {
                WriteUInt16(elf, entry, 1);
                changed = true;
            }
        }

        if (!changed)
        {
            return;
        }

        var temporary = path + ".relaxing";
        File.WriteAllBytes(temporary, elf);
        File.Delete(path);
        File.Move(temporary, path);
        Log.LogMessage(MessageImportance.Normal, "Relaxed the " + Version + " need of " + path);
    }

    private static string ReadString(byte[] data, long offset)
    {
        var end = offset;
        while (end < data.Length && data[end] != 0)
        {
            end++;
        }

        return Encoding.ASCII.GetString(data, (int)offset, (int)(end - offset));
    }

    private static void WriteUInt16(byte[] data, long offset, ushort value)
    {
        data[offset] = (byte)value;
        data[offset + 1] = (byte)(value >> 8);
    }

    private static int IndexOf(byte[] haystack, byte[] needle)
    {
        for (var i = 0; i <= haystack.Length - needle.Length; i++)
        {
            var j = 0;
            while (j < needle.Length && haystack[i + j] == needle[j])
            {
                j++;
            }

            if (j == needle.Length)
            {
                return i;
            }
        }

        return -1;
    }
}
