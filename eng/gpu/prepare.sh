#!/usr/bin/env bash
# Prepares the GPU run (eng/gpu/run.sh) on this machine: publishes the test runner, the benchmarks and the CLI
# framework-dependent, packs the .NET runtime, the fixture files the run reads, TorchSharp 0.107.0's native sources and
# the Python reference's sources into ONE ignored folder (.gpu-pack/ at the repository root), and fails when what
# travels to the device (that folder + the working tree) is over the device tool's 64 MiB.
#
#   eng/gpu/prepare.sh [--pack DIR] [--skip-publish]
#
# Environment (defaults are this workplace's): DOTNET_ROOT (/usr/share/dotnet), STABLEVSR_FIXTURES (../shared/fixtures),
# TORCHSHARP_GIT / DIFFUSERS_GIT / HFHUB_GIT / STABLEVSR_GIT (git directories of the fetched repositories, read with
# `git archive`; nothing fetched is ever committed), NUGET_PACKAGES (~/.nuget/packages).
# Nothing here needs a GPU. See eng/gpu/README.md.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
pack="$repo/.gpu-pack"
skip_publish=0
while [ $# -gt 0 ]; do
  case "$1" in
    --pack) pack="$(realpath -m "$2")"; shift ;;
    --skip-publish) skip_publish=1 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "prepare.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

limit=$((64 * 1024 * 1024))
dotnet_root="${DOTNET_ROOT:-/usr/share/dotnet}"
fixtures="$(realpath "${STABLEVSR_FIXTURES:-$repo/../shared/fixtures}")"
nuget="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
mirror=/work/.mirror
torchsharp_git="${TORCHSHARP_GIT:-$mirror/dotnet+TorchSharp/repo}"
diffusers_git="${DIFFUSERS_GIT:-$mirror/huggingface+diffusers/repo}"
hfhub_git="${HFHUB_GIT:-$mirror/huggingface+huggingface_hub/repo}"
stablevsr_git="${STABLEVSR_GIT:-$mirror/claudiom4sir+StableVSR/repo}"
# TorchSharp's repository has no v0.107.0 tag in the stored snapshot: this commit is the 0.107.0 release ("Update
# release notes", 2026-05-07, version 0.107.0 in build/BranchInfo.props); check_native_api below compares its exported
# functions with the NuGet library's.
torchsharp_rev="${TORCHSHARP_REV:-c20b6a1cc574d690707638a488d2583f3b8b983f}"
diffusers_rev=v0.21.1          # the version StableVSR pins
hfhub_rev=v0.17.3              # a huggingface_hub that diffusers 0.21.1 imports (it needs cached_download, gone in 0.26)
stablevsr_rev=HEAD
xz_level="${XZ_LEVEL:--9e}"
prepare_python="${PREPARE_PYTHON:-/usr/bin/python3}"   # numpy, for regen_weights.py describe

step() { printf '\n== %s\n' "$*"; }
need() { command -v "$1" >/dev/null || { echo "prepare.sh: '$1' is required" >&2; exit 1; }; }
need dotnet; need xz; need git; need tar; need nm

for g in "$torchsharp_git" "$diffusers_git" "$hfhub_git" "$stablevsr_git"; do
  [ -d "$g" ] || { echo "prepare.sh: fetched repository '$g' is missing: fetch it (github dotnet/TorchSharp, huggingface/diffusers, huggingface/huggingface_hub, claudiom4sir/StableVSR)" >&2; exit 1; }
done
[ -d "$fixtures/cases" ] || { echo "prepare.sh: no fixtures at '$fixtures' (set STABLEVSR_FIXTURES)" >&2; exit 1; }

runtime_version="$(ls "$dotnet_root/shared/Microsoft.NETCore.App" | sort -V | tail -1)"
fxr_version="$(ls "$dotnet_root/host/fxr" | sort -V | tail -1)"
[ "${runtime_version%%.*}" = 10 ] || { echo "prepare.sh: need .NET 10 in $dotnet_root (found $runtime_version)" >&2; exit 1; }

stage="$(mktemp -d "${TMPDIR:-/tmp}/gpu-prepare.XXXXXX")"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$pack"
rm -f "$pack"/*.tar.xz "$pack"/MANIFEST.txt

# ---------------------------------------------------------------------------------------------------------------
step "1. publish tests (Microsoft.Testing.Platform executable), benchmarks and CLI, framework-dependent, linux-x64"
published="$repo/artifacts/gpu-publish"   # ignored; kept between runs for --skip-publish, never carried
if [ "$skip_publish" = 0 ] || [ ! -d "$published/tests" ]; then
  # Publish from a copy of the working tree (tracked + untracked-not-ignored files), so the publish-only properties
  # below never touch this checkout's obj/ folders.
  mkdir -p "$stage/src"
  (cd "$repo" && git ls-files -z -co --exclude-standard | xargs -0 cp --parents -t "$stage/src")
  rm -rf "$published"
  common=(-c Release -r linux-x64 --self-contained false -p:UseAppHost=false -p:StableVsrPatchNativeLoader=true -nologo -v:minimal)
  # The test project is a VSTest project; published with NUnit's Microsoft.Testing.Platform runner it becomes an
  # executable that needs no SDK: `dotnet StableVsr.Tests.dll --filter ...`.
  dotnet publish "$stage/src/tests/StableVsr.Tests" "${common[@]}" -p:EnableNUnitRunner=true \
    -p:GenerateProgramFile=false -o "$published/tests"
  dotnet publish "$stage/src/bench/StableVsr.Benchmarks" "${common[@]}" -o "$published/bench"
  dotnet publish "$stage/src/src/StableVsr.Cli" "${common[@]}" -o "$published/cli"
fi
apps="$stage/apps"
mkdir -p "$apps"
cp -a "$published/." "$apps/"
# The CPU libtorch 2.10 the publish copies (hundreds of MB) stays here: the device loads its own PyTorch's libtorch.
# libLibTorchSharp.so in each app folder is the copy the build patched for old libstdc++ (DESIGN.md); run.sh puts the
# library it chose in its place.
find "$apps" -maxdepth 2 -type f \( -name 'libtorch*.so*' -o -name 'libc10*.so*' -o -name 'libgomp*.so*' -o -name 'libshm.so' \
  -o -name 'libbackend_with_compiler.so' -o -name 'libjitbackend_test.so' -o -name 'libnnapi_backend.so' -o -name 'libaoti_custom_ops.so' \) -delete
# Nor does what the GPU run never loads: code coverage and its instrumentation engines, satellite resource folders,
# ScottPlot's Skia/HarfBuzz natives (evaluation report plots), BenchmarkDotNet's disassembler, XML docs.
for app in tests bench cli; do
  ( cd "$apps/$app" && rm -rf CodeCoverage alpine arm64 macos ubuntu x64 x86 amd64 cs de es fr it ja ko pl pt-BR ru tr zh-Hans zh-Hant \
      libSkiaSharp.so libHarfBuzzSharp.so libcapstone.so Microsoft.CodeCoverage.* Microsoft.VisualStudio.TraceDataCollector.dll ./*.xml )
done
for app in tests bench cli; do
  [ -f "$apps/$app/libLibTorchSharp.so" ] || { echo "prepare.sh: $app has no libLibTorchSharp.so" >&2; exit 1; }
done
du -sh "$apps"/*

# ---------------------------------------------------------------------------------------------------------------
step "2. native: TorchSharp's NuGet libLibTorchSharp.so (original and this build's patched copy) + src/Native at $torchsharp_rev"
mkdir -p "$stage/native/nuget" "$stage/native/patched"
cp "$nuget/torchsharp/0.107.0/runtimes/linux-x64/native/libLibTorchSharp.so" "$stage/native/nuget/"
cp "$apps/tests/libLibTorchSharp.so" "$stage/native/patched/"
git --git-dir="$torchsharp_git" archive "$torchsharp_rev" src/Native | tar -x -C "$stage/native"
# The sources must be the library's: every exported function of the NuGet library is declared in them.
grep -rhoE 'EXPORT_API\([^)]*\)\s*\w+' "$stage/native/src/Native" | awk '{print $NF}' | sort -u > "$stage/api-src.txt"
nm -D --defined-only "$stage/native/nuget/libLibTorchSharp.so" | awk '$2=="T" && $3 ~ /^TH/ {print $3}' | sort -u > "$stage/api-so.txt"
missing_in_src="$(comm -13 "$stage/api-src.txt" "$stage/api-so.txt" | wc -l)"
echo "exported THS* functions: NuGet library $(wc -l < "$stage/api-so.txt"), declared in src/Native $(wc -l < "$stage/api-src.txt"), in the library but not the sources: $missing_in_src"
[ "$missing_in_src" = 0 ] || { echo "prepare.sh: src/Native at $torchsharp_rev is not the NuGet library's source" >&2; exit 1; }
tar -C "$stage" -cf - native | xz -T2 $xz_level > "$pack/native.tar.xz"

# ---------------------------------------------------------------------------------------------------------------
step "3. .NET runtime $runtime_version (dotnet host, host/fxr, Microsoft.NETCore.App; no debugger/diagnostic natives)"
mkdir -p "$stage/dotnet/host/fxr" "$stage/dotnet/shared/Microsoft.NETCore.App"
cp -a "$dotnet_root/dotnet" "$stage/dotnet/"
cp -a "$dotnet_root/host/fxr/$fxr_version" "$stage/dotnet/host/fxr/"
cp -a "$dotnet_root/shared/Microsoft.NETCore.App/$runtime_version" "$stage/dotnet/shared/Microsoft.NETCore.App/"
# The debugger's and crash dumps' natives, the alternative GCs and the LTTng trace provider are loaded only on request.
( cd "$stage/dotnet/shared/Microsoft.NETCore.App/$runtime_version" && rm -f libmscordaccore.so libmscordbi.so createdump libclrgc.so libclrgcexp.so libcoreclrtraceptprovider.so )
tar -C "$stage" -cf - dotnet | xz -T2 $xz_level > "$pack/dotnet.tar.xz"

step "4. apps (one archive: the three share most assemblies, which xz's window deduplicates)"
tar -C "$stage" -cf - apps | xz -T2 $xz_level > "$pack/apps.tar.xz"

# ---------------------------------------------------------------------------------------------------------------
step "5. fixtures: tiny-stablevsr, parity cases, full-size configs; descriptions of the weights rebuilt on the device"
# What the GPU run reads: the module and sampler parity cases (not the training, metric or IQA ones), the tiny
# checkpoint's UNet, ControlNet, VAE, tokenizer and scheduler, the full-size configs (their weights are random, made on
# the device). RAFT-large's random weights (21 MB) and the tiny text encoder's (6.4 MB) are incompressible and do not fit
# beside the runtime: regen_weights.py describes them here (keys, shapes, statistics) and run.sh rebuilds stand-ins
# there, so every test that only needs valid weights runs; RAFT and pipeline PARITY (reference outputs made from the
# exact weights) cannot, and run.sh leaves them out.
f="$stage/fixtures"
mkdir -p "$f/cases" "$f/tiny-stablevsr/text_encoder" "$f/full-size" "$f/raft" "$f/stand-ins"
cp -a "$fixtures/tiny-stablevsr/model_index.json" "$f/tiny-stablevsr/"
for m in unet controlnet vae scheduler tokenizer; do cp -a "$fixtures/tiny-stablevsr/$m" "$f/tiny-stablevsr/"; done
cp -a "$fixtures/tiny-stablevsr/text_encoder/config.json" "$f/tiny-stablevsr/text_encoder/"
for c in unet_forward controlnet_forward vae flow_warp ddpm ddim pipeline raft_forward; do cp -a "$fixtures/cases/$c.safetensors" "$f/cases/"; done
for m in unet controlnet vae; do mkdir -p "$f/full-size/$m"; cp -a "$fixtures/full-size/$m/config.json" "$f/full-size/$m/"; done
# The full-size sequence suite's stand-ins for the text encoder and tokenizer (never run: the prompt embedding is given).
cp -a "$fixtures/text_encoder" "$fixtures/tokenizer" "$f/"
"$prepare_python" "$here/regen_weights.py" describe "$fixtures/raft/raft_large_random.safetensors" > "$f/stand-ins/raft_large_random.json"
"$prepare_python" "$here/regen_weights.py" describe "$fixtures/tiny-stablevsr/text_encoder/model.safetensors" > "$f/stand-ins/tiny_text_encoder.json"
chmod -R u+w "$f"
tar -C "$stage" -cf - fixtures | xz -T2 -6 > "$pack/fixtures.tar.xz"

# ---------------------------------------------------------------------------------------------------------------
step "6. Python reference sources: diffusers $diffusers_rev, huggingface_hub $hfhub_rev, StableVSR ($stablevsr_rev)"
py="$stage/python"
mkdir -p "$py/stablevsr"
git --git-dir="$diffusers_git" archive "$diffusers_rev" src/diffusers | tar -x -C "$py" --strip-components=1
git --git-dir="$hfhub_git" archive "$hfhub_rev" src/huggingface_hub | tar -x -C "$py" --strip-components=1
git --git-dir="$stablevsr_git" archive "$stablevsr_rev" util pipeline scheduler | tar -x -C "$py/stablevsr"
# diffusers' Flax, ONNX and pipeline folders are never imported by the reference (it builds models, not pipelines).
rm -rf "$py"/diffusers/pipelines/*/ "$py"/diffusers/models/*flax* "$py"/diffusers/experimental
tar -C "$stage" -cf - python | xz -T2 $xz_level > "$pack/python.tar.xz"

# ---------------------------------------------------------------------------------------------------------------
step "7. manifest and size"
{
  echo "StableVsr GPU pack, made $(date -u +%Y-%m-%dT%H:%MZ) by eng/gpu/prepare.sh from $(cd "$repo" && git rev-parse --short HEAD)$(cd "$repo" && git diff --quiet HEAD || echo '+changes')"
  echo ".NET runtime $runtime_version (fxr $fxr_version)"
  echo "TorchSharp src/Native $torchsharp_rev; NuGet TorchSharp 0.107.0 libLibTorchSharp.so (original + patched copy)"
  echo "diffusers $diffusers_rev ($(git --git-dir="$diffusers_git" rev-parse "$diffusers_rev^{commit}")), huggingface_hub $hfhub_rev ($(git --git-dir="$hfhub_git" rev-parse "$hfhub_rev^{commit}")), StableVSR $(git --git-dir="$stablevsr_git" rev-parse "$stablevsr_rev")"
  echo "fixtures from $fixtures"
  (cd "$pack" && ls -l *.tar.xz | awk '{printf "  %-18s %10d bytes\n", $9, $5}')
} > "$pack/MANIFEST.txt"
cat "$pack/MANIFEST.txt"

pack_bytes="$(du -cb "$pack"/*.tar.xz "$pack/MANIFEST.txt" | tail -1 | cut -f1)"
tree_bytes="$(cd "$repo" && git ls-files -z -co --exclude-standard | xargs -0 du -cb 2>/dev/null | awk '$2=="total"{s+=$1} END{print s+0}')"
total=$((pack_bytes + tree_bytes))
printf '\npack %.1f MiB + working tree %.1f MiB = %.1f MiB of the %d MiB that may travel\n' \
  "$(echo "$pack_bytes/1048576" | bc -l)" "$(echo "$tree_bytes/1048576" | bc -l)" "$(echo "$total/1048576" | bc -l)" $((limit / 1048576))
if [ "$total" -gt "$limit" ]; then
  echo "prepare.sh: over the limit by $(( (total - limit) / 1024 )) KiB" >&2
  exit 1
fi
echo "carry: .gpu-pack   (the published apps stay in artifacts/gpu-publish for --skip-publish)"
