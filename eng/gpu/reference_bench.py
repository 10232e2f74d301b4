"""Times the Python reference on the GPU run's machine, for ratios measured in one run (eng/gpu/run.sh, part d).

The reference is diffusers 0.21.1 (the version StableVSR pins) and StableVSR's util/flow_utils.py, carried as sources in
.gpu-pack (never committed). The networks are built from the full-size configs in fixtures/full-size with random
weights, as the .NET benchmarks build theirs. Measured per dtype (UNet and ControlNet in that dtype, the VAE in float32,
as the .NET HalfOnGpu policy does): one UNet forward, one ControlNet forward, one VAE decode to 4x, and one frame-step
exactly as StableVSR's pipeline loop runs it for every frame but the first of a pass (VAE-decode the previous frame's
predicted x0, flow_warp it, scale_model_input, cat with the LR frame, ControlNet, UNet with its residuals, DDPM step).
Time: mean and min of --iterations after --warmups, device synchronised. Memory: the peak of NVML's used memory of the
device, sampled every 5 ms on a thread (as the .NET GpuMemorySampler does), and torch's max_memory_allocated.
"""

import argparse
import json
import os
import sys
import threading
import time

import torch


def log(*parts):
    print("ref", *parts, flush=True)


class NvmlPeak:
    """Peak used device memory from NVML, sampled on a thread; None without NVML (the CPU dry run)."""

    def __init__(self, device):
        self.peak = None
        self.stop = threading.Event()
        self.handle = None
        if device.type != "cuda":
            return
        try:
            import pynvml

            pynvml.nvmlInit()
            self.nvml = pynvml
            self.handle = pynvml.nvmlDeviceGetHandleByIndex(device.index or 0)
        except Exception as error:  # no NVML bindings: report torch's figures only
            log("NVML unavailable:", error)

    def used(self):
        return self.nvml.nvmlDeviceGetMemoryInfo(self.handle).used

    def __enter__(self):
        if self.handle is not None:
            self.peak = self.used()
            self.thread = threading.Thread(target=self.run, daemon=True)
            self.thread.start()
        return self

    def run(self):
        while not self.stop.wait(0.005):
            self.peak = max(self.peak, self.used())

    def __exit__(self, *args):
        if self.handle is not None:
            self.stop.set()
            self.thread.join()
            self.peak = max(self.peak, self.used())


def synchronize(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def measure(name, fn, device, warmups, iterations):
    if device.type == "cuda":
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats(device)
    with NvmlPeak(device) as nvml:
        for _ in range(warmups):
            fn()
        synchronize(device)
        times = []
        for _ in range(iterations):
            t0 = time.perf_counter()
            fn()
            synchronize(device)
            times.append(time.perf_counter() - t0)
    result = {
        "case": name,
        "mean_s": sum(times) / len(times),
        "min_s": min(times),
        "iterations": iterations,
        "nvml_peak_bytes": nvml.peak,
        "torch_max_allocated_bytes": torch.cuda.max_memory_allocated(device) if device.type == "cuda" else None,
    }
    peak = "n/a" if nvml.peak is None else f"{nvml.peak / 2**30:.2f} GiB"
    log(f"{name:<28} mean {result['mean_s'] * 1000:9.1f} ms  min {result['min_s'] * 1000:9.1f} ms  NVML peak {peak}")
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixtures", required=True, help="fixture folder with full-size/*/config.json and tiny-stablevsr/scheduler")
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--size", default="320x180", help="LR frame size WxH")
    parser.add_argument("--dtypes", default="float32,float16")
    parser.add_argument("--iterations", type=int, default=3)
    parser.add_argument("--warmups", type=int, default=1)
    parser.add_argument("--json", required=True, help="file the results are written to (after each dtype)")
    args = parser.parse_args()

    # diffusers 0.21.1 imports transformers and accelerate when they are installed; the device has versions from years
    # later, and the networks need neither: hide them so only the carried sources are imported.
    sys.modules["transformers"] = None
    sys.modules["accelerate"] = None
    try:
        import safetensors  # noqa: F401  (diffusers imports it at module level; only checkpoint loading uses it)
    except ImportError:  # Debian 12's Python (the CPU dry run) has no safetensors package
        import importlib.machinery
        import types

        for name in ("safetensors", "safetensors.torch"):
            module = types.ModuleType(name)
            module.__spec__ = importlib.machinery.ModuleSpec(name, None)
            sys.modules[name] = module
        log("safetensors is not installed: an empty module stands in (nothing here loads a checkpoint)")
    from diffusers import AutoencoderKL, ControlNetModel, DDPMScheduler, UNet2DConditionModel
    import diffusers
    from util.flow_utils import flow_warp  # StableVSR's own

    device = torch.device(args.device)
    width, height = (int(v) for v in args.size.split("x"))
    log(f"torch {torch.__version__} cuda {torch.version.cuda} diffusers {diffusers.__version__} device {device}"
        + (f" ({torch.cuda.get_device_name(device)})" if device.type == "cuda" else "") + f" LR {width}x{height}")
    if device.type == "cuda":
        # The .NET parity run measures float32 with TF32 off; the timings use libtorch's defaults on both sides
        # (cuDNN convolutions may use TF32, matrix products do not).
        log(f"TF32: cudnn {torch.backends.cudnn.allow_tf32}, matmul {torch.backends.cuda.matmul.allow_tf32}")

    def config(name):
        with open(os.path.join(args.fixtures, "full-size", name, "config.json")) as f:
            return json.load(f)

    torch.manual_seed(0)
    results = {"device": str(device), "size": args.size, "torch": torch.__version__, "diffusers": diffusers.__version__, "cases": []}
    t0 = time.perf_counter()
    unet = UNet2DConditionModel.from_config(config("unet")).eval()
    controlnet = ControlNetModel.from_config(config("controlnet")).eval()
    vae = AutoencoderKL.from_config(config("vae")).eval().to(device)
    scheduler = DDPMScheduler.from_pretrained(os.path.join(args.fixtures, "tiny-stablevsr", "scheduler"))
    scheduler.set_timesteps(50)
    t = scheduler.timesteps[25]
    log(f"models built in {time.perf_counter() - t0:.1f} s")

    generator = torch.Generator().manual_seed(1234)
    f32 = torch.float32
    sample7 = torch.randn(1, 7, height, width, generator=generator)
    text = torch.randn(1, 77, config("unet")["cross_attention_dim"], generator=generator)
    cond = torch.rand(1, 3, height * 4, width * 4, generator=generator) * 2 - 1
    latent = torch.randn(1, 4, height, width, generator=generator)
    low = torch.rand(1, 3, height, width, generator=generator) * 2 - 1
    flow = torch.randn(1, height * 4, width * 4, 2, generator=generator) * 2
    x0_prev = torch.randn(1, 4, height, width, generator=generator) * vae.config.scaling_factor

    for name in args.dtypes.split(","):
        dtype = getattr(torch, name)
        unet.to(device=device, dtype=dtype)
        controlnet.to(device=device, dtype=dtype)
        x, tx, c = sample7.to(device, dtype), text.to(device, dtype), cond.to(device, dtype)
        # The full-size configs carry the x4 upscaler's noise-level embedding (num_class_embeds), which diffusers
        # refuses to run without labels; the .NET benchmarks pass noise level 20 too.
        labels = torch.tensor([20], device=device) if unet.config.num_class_embeds else None
        lat, lr, fl, x0 = latent.to(device), low.to(device), flow.to(device), x0_prev.to(device)

        @torch.no_grad()
        def unet_forward():
            unet(x, t, encoder_hidden_states=tx, class_labels=labels, return_dict=False)

        @torch.no_grad()
        def controlnet_forward():
            controlnet(x, t, encoder_hidden_states=tx, controlnet_cond=c, class_labels=labels, return_dict=False)

        @torch.no_grad()
        def vae_decode():
            vae.decode(lat / vae.config.scaling_factor, return_dict=False)

        @torch.no_grad()
        def frame_step():
            # StableVSR's pipeline loop body for a frame with a predecessor (guidance 0, no class labels).
            rgb = vae.decode(x0 / vae.config.scaling_factor, return_dict=False)[0]
            warped = flow_warp(rgb, fl, interp_mode="bilinear")
            model_input = scheduler.scale_model_input(lat, t)
            model_input = torch.cat([model_input, lr], dim=1)
            down, mid = controlnet(model_input.to(dtype), t, encoder_hidden_states=tx, controlnet_cond=warped.to(dtype),
                                   class_labels=labels, conditioning_scale=1.0, guess_mode=False, return_dict=False)
            noise = unet(model_input.to(dtype), t, encoder_hidden_states=tx, class_labels=labels, down_block_additional_residuals=down,
                         mid_block_additional_residual=mid, return_dict=False)[0]
            scheduler.step(noise.float(), t, lat).prev_sample

        for case, fn in (("UNet forward", unet_forward), ("ControlNet forward", controlnet_forward),
                         ("VAE decode (float32)", vae_decode), ("frame-step", frame_step)):
            result = measure(f"{case} {name}", fn, device, args.warmups, args.iterations)
            result["dtype"] = name
            results["cases"].append(result)
            with open(args.json, "w") as f:
                json.dump(results, f, indent=1)
    log("done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
