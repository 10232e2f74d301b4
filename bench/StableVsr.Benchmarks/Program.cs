using BenchmarkDotNet.Running;
using StableVsr.Models.Runtime;

// Load libtorch the library's way first, so the suites measure its defaults (OpenMP threads that sleep while waiting,
// unless OMP_WAIT_POLICY is set).
TorchBackend.EnsureAvailable();
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
