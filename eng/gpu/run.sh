#!/usr/bin/env bash
# The GPU run: everything the device machine does in one command, from the working tree with .gpu-pack carried
# (eng/gpu/prepare.sh makes it). Parts, in order, each writing under $OUT as soon as it has results:
#   native  unpack; bind TorchSharp's libLibTorchSharp.so to the machine's libtorch (NuGet copy, else build src/Native)
#   a       Parity category on the test device in float32, TF32 off; then TF32 on, for the difference
#   b       float16 UNet/ControlNet (HalfOnGpu) against float32, end to end on the tiny pipeline
#   c       BenchmarkDotNet: full-size UNet, ControlNet, VAE decode, RAFT, one denoising step, whole sequences
#   d       the Python reference (diffusers 0.21.1 + StableVSR's step) on the same device, same sizes, same dtypes
#   e       on the host CPU, when it has AVX512_BF16: the bfloat16 training and denoiser tests
#
#   eng/gpu/run.sh [--cpu] [--skip a,b,...] [--only c,d] [--budget SECONDS] [--force-build] [--pack DIR] [--work DIR]
#
# --cpu is the dry run for this (GPU-less) machine: the CPU libtorch of the NuGet cache stands in for the device's
# PyTorch, Debian's python3-torch runs the reference, and every part runs at reduced sizes. --budget (default 540 s)
# is a hard deadline for the whole command: each part gets a timeout from what is left, and a part that would start
# with less than its minimum is skipped and named in the summary, so a rerun with --only continues from there.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
pack="$repo/.gpu-pack"
work=""
cpu=0
force_build=0
budget=540
skip=","
only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --cpu) cpu=1 ;;
    --skip) skip=",$2,"; shift ;;
    --only) only=",$2,"; shift ;;
    --budget) budget="$2"; shift ;;
    --force-build) force_build=1 ;;
    --pack) pack="$(realpath -m "$2")"; shift ;;
    --work) work="$(realpath -m "$2")"; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

start=$(date +%s)
slow=1   # --cpu: the per-part limits are for the device; the dry run on 2 shared cores gets several times more
work="${work:-$pack/work}"
out="${OUT:-$work/out}"
mkdir -p "$work" "$out"
summary="$out/summary.txt"
: > "$summary"

elapsed() { echo $(( $(date +%s) - start )); }
left() { echo $(( budget - $(elapsed) )); }
say() { printf '[%4ss] %s\n' "$(elapsed)" "$*" | tee -a "$summary"; }
wanted() {
  case "$skip" in *",$1,"*) return 1 ;; esac
  [ -z "$only" ] && return 0
  case "$only" in *",$1,"*) return 0 ;; esac
  return 1
}
# run_part NAME MIN_SECONDS MAX_SECONDS LOG command...: runs under a timeout of at most MAX and what is left of the
# budget (less a reserve for the summary); skips when less than MIN is left. Output goes to LOG under $OUT at once.
run_part() {
  local name="$1" min="$2" max="$(( $3 * slow ))" log="$4"; shift 4
  local rest=$(( $(left) - 15 ))
  if [ "$rest" -lt "$min" ]; then
    say "$name: SKIPPED, ${rest}s left of the budget (needs ${min}s): rerun with --only $name"
    return 99
  fi
  local limit=$(( rest < max ? rest : max ))
  say "$name: start (timeout ${limit}s) -> $(basename "$log")"
  local t0; t0=$(date +%s)
  timeout --kill-after=10 "$limit" "$@" >> "$log" 2>&1
  local rc=$?
  say "$name: exit $rc after $(( $(date +%s) - t0 ))s$([ $rc = 124 ] && echo ' (TIMED OUT)')"
  return $rc
}

say "StableVsr GPU run: $([ $cpu = 1 ] && echo 'CPU dry run' || echo device), budget ${budget}s, pack $pack, work $work, out $out"
[ -f "$pack/MANIFEST.txt" ] || { say "no pack at $pack: run eng/gpu/prepare.sh first and carry .gpu-pack"; exit 1; }
sed 's/^/  /' "$pack/MANIFEST.txt" | tee -a "$summary" >/dev/null

# --------------------------------------------------------------------------------------------------------------
# Machine, libtorch and Python
# --------------------------------------------------------------------------------------------------------------
native_log="$out/native.log"
: > "$native_log"
{
  echo "== machine"; uname -a; nproc; grep -m1 'model name' /proc/cpuinfo
  echo "cpu flags: $(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -E '^(avx2|avx512f|avx512_bf16|amx_bf16|amx_tile)$' | tr '\n' ' ')"
  command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.sm,clocks.max.sm --format=csv
} >> "$native_log" 2>&1

if [ "$cpu" = 1 ]; then
  slow=5
  python="${SVSR_PYTHON:-/usr/bin/python3}"
  nuget="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
  torch_lib="${SVSR_TORCH_LIB:-$nuget/libtorch-cpu-linux-x64/2.10.0/runtimes/linux-x64/native}"
  torch_include="${SVSR_TORCH_INCLUDE:-}"
  cxx11_abi=1
  test_device=cpu
else
  python="${SVSR_PYTHON:-python3}"
  torch_dir="$("$python" -c 'import torch, os; print(os.path.dirname(torch.__file__))')"
  torch_lib="$torch_dir/lib"
  torch_include="$torch_dir/include"
  cxx11_abi="$("$python" -c 'import torch; print(int(torch._C._GLIBCXX_USE_CXX11_ABI))')"
  test_device=cuda
fi
"$python" -c 'import torch; print("python torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available())' >> "$native_log" 2>&1
say "libtorch for .NET: $torch_lib (C++11 ABI $cxx11_abi); python $python"

# --------------------------------------------------------------------------------------------------------------
# native: unpack, then find a libLibTorchSharp.so that binds to this libtorch
# --------------------------------------------------------------------------------------------------------------
unpack() {
  local t0; t0=$(date +%s)
  rm -rf "$work/dotnet" "$work/apps" "$work/fixtures" "$work/python" "$work/native"
  for a in dotnet apps fixtures python native; do
    tar -xJf "$pack/$a.tar.xz" -C "$work" || { say "unpack $a failed"; return 1; }
  done
  # The unpacked apps live under the pack inside the repository on the device; in a dry run from a scratch copy they
  # may not, and the test support looks for the repository root (StableVsr.sln) above its binaries only on request.
  say "unpacked in $(( $(date +%s) - t0 ))s: $(du -sh "$work" | cut -f1)"
}
unpack || exit 1
# Stand-ins for the weights that do not travel (regen_weights.py): RAFT-large and the tiny text encoder.
{
  "$python" "$here/regen_weights.py" make "$work/fixtures/stand-ins/raft_large_random.json" \
    --safetensors "$work/fixtures/raft/raft_large_random.safetensors" --pth "$work/fixtures/raft/raft_large_random.pth" &&
  "$python" "$here/regen_weights.py" make "$work/fixtures/stand-ins/tiny_text_encoder.json" \
    --safetensors "$work/fixtures/tiny-stablevsr/text_encoder/model.safetensors"
} >> "$native_log" 2>&1 || { say "stand-in weights failed (see native.log)"; exit 1; }
say "stand-in weights: $(grep -c '^stand-in' "$native_log") files (RAFT-large .pth/.safetensors, tiny text encoder)"
export DOTNET_ROOT="$work/dotnet" PATH="$work/dotnet:$PATH" DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 \
  DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 STABLEVSR_FIXTURES="$work/fixtures"
dotnet --info >> "$native_log" 2>&1 || { say "the packed .NET runtime does not start (see native.log)"; exit 1; }

# Missing libraries, symbols and versions of a candidate against this libtorch, as `ldd -r` reports them (a
# candidate ldd cannot read reports itself as missing).
missing_symbols() {
  [ -f "$1" ] || { echo "$1: not found"; return; }
  local report; report="$(LD_LIBRARY_PATH="$torch_lib" ldd -r "$1" 2>&1)" || { echo "ldd failed: $report"; return; }
  # A weak version need (the patched copy's) is no obstacle: the loader binds the symbol without it.
  printf '%s\n' "$report" | grep -E 'undefined symbol|not found' | grep -v 'weak version' || true
}

build_native() {
  # TorchSharp's src/Native, compiled with g++ and ninja straight against this libtorch's headers and libraries
  # (TorchSharp's own CMake adds -Werror and searches for a CUDA toolkit; neither is needed for this one library).
  local src="$work/native/src/Native" bdir="$work/native/build"
  [ -n "$torch_include" ] && [ -f "$torch_include/torch/csrc/api/include/torch/torch.h" ] || { echo "no libtorch headers at '$torch_include'"; return 1; }
  command -v ninja >/dev/null && command -v g++ >/dev/null || { echo "ninja and g++ are needed"; return 1; }
  mkdir -p "$bdir"
  local libs="-ltorch -ltorch_cpu -lc10"
  [ -f "$torch_lib/libtorch_cuda.so" ] && libs="$libs -ltorch_cuda -lc10_cuda"
  {
    echo "cxxflags = -O2 -g0 -fPIC -fvisibility=hidden -std=c++17 -w -DNDEBUG -D_GLIBCXX_USE_CXX11_ABI=$cxx11_abi -D__LINUX__ -D_NO_ASYNCRTIMP -D_NO_PPLXIMP -I$src -I$src/LibTorchSharp -isystem $torch_include -isystem $torch_include/torch/csrc/api/include"
    echo "rule cxx"
    echo "  command = g++ \$cxxflags -c \$in -o \$out"
    echo "rule cc"
    echo "  command = gcc -O2 -fPIC -fvisibility=hidden -w -c \$in -o \$out"
    echo "rule link"
    echo "  command = g++ -shared -o \$out \$in -L$torch_lib -Wl,-rpath,'\$\$ORIGIN' -Wl,--no-as-needed $libs -Wl,-Bsymbolic -Wl,-Bsymbolic-functions"
    local objs=""
    for f in "$src"/LibTorchSharp/*.cpp; do echo "build $(basename "$f" .cpp).o: cxx $f"; objs="$objs $(basename "$f" .cpp).o"; done
    echo "build crc32c.o: cc $src/LibTorchSharp/crc32c.c"
    echo "build libLibTorchSharp.so: link$objs crc32c.o"
  } > "$bdir/build.ninja"
  local t0; t0=$(date +%s)
  ninja -C "$bdir" -j "$(nproc)" || return 1
  echo "built libLibTorchSharp.so in $(( $(date +%s) - t0 ))s with $(nproc) jobs"
}

choose_native() {
  local chosen=""
  if [ "$force_build" = 0 ]; then
    for cand in "$work/native/nuget/libLibTorchSharp.so" "$work/native/patched/libLibTorchSharp.so"; do
      local miss; miss="$(missing_symbols "$cand")"
      echo "== $cand: $(printf '%s' "$miss" | grep -c . ) missing"
      printf '%s\n' "$miss" | head -40 | c++filt
      if [ -z "$miss" ]; then chosen="$cand"; break; fi
    done
  fi
  if [ -z "$chosen" ]; then
    echo "== building src/Native against $torch_lib"
    if build_native; then
      chosen="$work/native/build/libLibTorchSharp.so"
      local miss; miss="$(missing_symbols "$chosen")"
      printf '%s\n' "$miss" | head -40 | c++filt
      [ -z "$miss" ] || { echo "the built library still misses symbols"; chosen=""; }
    fi
  fi
  [ -n "$chosen" ] || return 1
  # Every app loads LibTorchSharp from its own folder (TorchSharp's NativeLibrary.TryLoad by name, relative to its
  # assembly), and libtorch through LD_LIBRARY_PATH (the app folders hold no libtorch).
  for app in "$work"/apps/*/; do
    cp -f "$chosen" "$app/libLibTorchSharp.so" || return 1
  done
  echo "CHOSEN $chosen"
}

t_native=$(date +%s)
choose_native >> "$native_log" 2>&1
chosen="$(sed -n 's/^CHOSEN //p' "$native_log" | tail -1)"
grep -E '^== .*missing|^built ' "$native_log" | sed 's/^/  /' | tee -a "$summary" >/dev/null
if [ -z "$chosen" ]; then
  say "native: NO libLibTorchSharp.so binds to $torch_lib (see native.log); nothing else can run"
  exit 1
fi
say "native: $chosen in $(( $(date +%s) - t_native ))s"
export LD_LIBRARY_PATH="$torch_lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

# The test runner as a command (timeout runs commands, not shell functions).
tests=(bash -c 'cd "$0" && exec dotnet StableVsr.Tests.dll --no-progress --output detailed "$@"' "$work/apps/tests")
# Test results: NUnit's own lines for what each test printed and the pass/fail counts.
results() {
  grep -E 'max \|diff\||^\s*(passed|failed|skipped) |Test run summary|^\s*(total|failed|succeeded|skipped):|Exception|error|parity tests on|vs float32|vs cpu' "$1" \
    | grep -v '^\s*at ' | sed 's/^\s*//' | awk '!seen[$0]++' | head -150
}

# --------------------------------------------------------------------------------------------------------------
# a: parity on the test device, TF32 off then on
# --------------------------------------------------------------------------------------------------------------
# The module and sampler parity cases the pack carries. Left out: RAFT and pipeline parity (their reference outputs
# need the exact RAFT weights, which do not travel: the Gpu category's device-against-CPU test covers both), CLIP (its
# tests run on the CPU whatever the test device), the noise-level UNet (12 MB more). RAFT's internal-consistency case
# runs with the stand-in weights.
parity_filter='TestCategory=Parity&(FullyQualifiedName~StableVsr.Tests.Models|FullyQualifiedName~StableVsr.Tests.Sampling)&FullyQualifiedName!~Clip&FullyQualifiedName!~PipelineParity&(FullyQualifiedName!~RaftParity|Name=LastFlowAloneEqualsTheLastOfAllPredictions)&Name!=MatchesTheReferenceForwardWithNoiseLevelClassLabels'
if wanted a; then
  log="$out/a-parity.log"; : > "$log"
  echo "### TF32 off" >> "$log"
  STABLEVSR_TEST_DEVICE=$test_device STABLEVSR_TEST_TF32=0 run_part a-tf32-off 60 240 "$log" "${tests[@]}" --filter "$parity_filter"
  results "$log" | sed 's/^/  /' >> "$summary"
  if [ "$cpu" = 0 ]; then
    echo "### TF32 on" >> "$log"
    STABLEVSR_TEST_DEVICE=$test_device STABLEVSR_TEST_TF32=1 run_part a-tf32-on 45 180 "$log" "${tests[@]}" --filter "$parity_filter"
    sed -n '/### TF32 on/,$p' "$log" > "$work/a-tf32-on.log"
    results "$work/a-tf32-on.log" | sed 's/^/  TF32 on: /' >> "$summary"
  fi
fi

# --------------------------------------------------------------------------------------------------------------
# b: the Gpu category: float16 against float32, and the whole pipeline (RAFT included) on the device against the CPU
# (CUDA only: on the CPU both tests are ignored, so the dry run proves they are found and the filter holds)
# --------------------------------------------------------------------------------------------------------------
if wanted b; then
  log="$out/b-float16.log"; : > "$log"
  STABLEVSR_TEST_DEVICE=$test_device run_part b 45 180 "$log" "${tests[@]}" --filter 'TestCategory=Gpu'
  results "$log" | sed 's/^/  /' >> "$summary"
fi

# --------------------------------------------------------------------------------------------------------------
# c: BenchmarkDotNet, in process, reports appended to c-bench.md as each suite ends
# --------------------------------------------------------------------------------------------------------------
bench() {
  local name="$1" min="$2" max="$3"; shift 3
  local dir="$work/bench-$name"
  rm -rf "$dir"; mkdir -p "$dir"
  run_part "c-$name" "$min" "$max" "$work/c-bench.log" bash -c 'cd "$0" && exec dotnet "$1/StableVsr.Benchmarks.dll" --filter "${@:2}"' "$dir" "$work/apps/bench" "$@"
  local rc=$?
  for md in "$dir"/BenchmarkDotNet.Artifacts/results/*-report-github.md; do
    [ -f "$md" ] && { echo "### $name"; cat "$md"; echo; } >> "$out/c-bench.md"
  done
  # At most 8 files come back from $OUT: BenchmarkDotNet's console stays in the work folder, its end joins the
  # report when a suite failed or timed out.
  [ "$rc" = 0 ] || { echo "### $name: exit $rc, end of the console"; echo '```'; tail -80 "$work/c-bench.log"; echo '```'; } >> "$out/c-bench.md"
  return $rc
}
if wanted c; then
  : > "$work/c-bench.log"; : > "$out/c-bench.md"
  if [ "$cpu" = 1 ]; then
    export STABLEVSR_BENCH_BACKENDS=cpu-float32 STABLEVSR_BENCH_SIZES=32x32 STABLEVSR_BENCH_ITERATIONS=1 STABLEVSR_BENCH_WARMUPS=0 \
      STABLEVSR_BENCH_SEQUENCE_FRAMES=2 STABLEVSR_BENCH_STEPS=1
  else
    export STABLEVSR_BENCH_BACKENDS=cuda-float32,cuda-float16 STABLEVSR_BENCH_SIZES=320x180 STABLEVSR_BENCH_ITERATIONS=2 STABLEVSR_BENCH_WARMUPS=1 \
      STABLEVSR_BENCH_SEQUENCE_FRAMES=5,20 STABLEVSR_BENCH_STEPS=2
  fi
  bench networks 60 200 '*FullSizeModelBenchmarks*'
  bench step 40 120 '*DenoisingStepBenchmarks*'
  # Sequences in float16 only on the device (the memory target is about the fast path); float32 in the dry run.
  # One measured iteration after the warm-up: a 20-frame case is seconds per iteration there.
  [ "$cpu" = 0 ] && export STABLEVSR_BENCH_BACKENDS=cuda-float16 STABLEVSR_BENCH_ITERATIONS=1
  bench sequence 60 200 '*FullSizeSequenceBenchmarks*'
  grep -E '^\|' "$out/c-bench.md" | grep -vE '^\|[- :|]+\|$' | sed 's/^/  /' >> "$summary"
fi

# --------------------------------------------------------------------------------------------------------------
# d: the Python reference on the same device
# --------------------------------------------------------------------------------------------------------------
if wanted d; then
  log="$out/d-reference.log"; : > "$log"
  if [ "$cpu" = 1 ]; then
    ref_args=(--device cpu --size 32x32 --dtypes float32 --iterations 1 --warmups 0)
  else
    ref_args=(--device cuda --size 320x180 --dtypes float32,float16 --iterations 3 --warmups 1)
  fi
  PYTHONPATH="$work/python:$work/python/stablevsr" PYTHONUNBUFFERED=1 run_part d 60 240 "$log" \
    "$python" "$here/reference_bench.py" --fixtures "$work/fixtures" --json "$out/d-reference.json" "${ref_args[@]}"
  grep -E '^(ref|REF)' "$log" | sed 's/^/  /' >> "$summary"
fi

# --------------------------------------------------------------------------------------------------------------
# e: bfloat16 on the host CPU, where it has the bfloat16 instructions
# --------------------------------------------------------------------------------------------------------------
if wanted e; then
  log="$out/e-cpu-bf16.log"; : > "$log"
  if grep -qw avx512_bf16 /proc/cpuinfo || [ "$cpu" = 1 ]; then
    [ "$cpu" = 1 ] && ! grep -qw avx512_bf16 /proc/cpuinfo && echo "no avx512_bf16 here: the dry run runs the same tests on AVX2" >> "$log"
    STABLEVSR_TEST_DEVICE=cpu run_part e 60 300 "$log" "${tests[@]}" --filter 'FullyQualifiedName~FrozenPrecision|Name=BFloat16DenoiserStaysCloseToFloat32'
    results "$log" | sed 's/^/  /' >> "$summary"
  else
    say "e: the host CPU has no avx512_bf16: skipped"
  fi
fi

say "done in $(elapsed)s; results in $out: $(ls "$out" | tr '\n' ' ')"
