"""Stand-in weights for the GPU run: what does not fit the 64 MiB that travel to the device is rebuilt there.

RAFT-large's random fixture weights (21 MB) and the tiny text encoder's (6.4 MB, most of it the 49,408-token embedding)
are incompressible. The tests that compare with reference outputs made from those exact weights (RAFT and pipeline
parity) do not run on the device; every other test that merely needs valid weights of the right keys, shapes and
scale (float16/bfloat16 against float32, CUDA against CPU, the training step) runs with these stand-ins.

  describe FILE.safetensors > DESCRIPTION.json     (here, by prepare.sh: keys, dtypes, shapes, mean and std per tensor)
  make DESCRIPTION.json --safetensors OUT [--pth OUT] [--seed N]   (there: seeded normal values of the same statistics)
"""

import argparse
import json
import struct
import sys

import numpy as np

DTYPES = {"F32": np.float32, "F64": np.float64, "I64": np.int64, "F16": np.float16}


def read_safetensors(path):
    with open(path, "rb") as f:
        size = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(size))
        data = f.read()
    tensors = {}
    for key, info in header.items():
        if key == "__metadata__":
            continue
        start, end = info["data_offsets"]
        tensors[key] = (info["dtype"], info["shape"], np.frombuffer(data[start:end], dtype=DTYPES[info["dtype"]]))
    return tensors


def describe(path):
    out = {}
    for key, (dtype, shape, values) in read_safetensors(path).items():
        values = values.astype(np.float64)
        out[key] = {"dtype": dtype, "shape": shape,
                    "mean": float(values.mean()) if values.size else 0.0,
                    "std": float(values.std()) if values.size else 0.0,
                    "min": float(values.min()) if values.size else 0.0}
    json.dump(out, sys.stdout, indent=0)


def make(description, safetensors_path, pth_path, seed):
    with open(description) as f:
        entries = json.load(f)
    rng = np.random.default_rng(seed)
    arrays = {}
    for key, e in entries.items():
        shape = tuple(e["shape"])
        if e["dtype"] == "I64":
            values = np.full(shape, round(e["mean"]), dtype=np.int64)
        else:
            values = rng.normal(e["mean"], e["std"], size=shape)
            if e["min"] >= 0:  # variances, scales that must stay non-negative
                values = np.abs(values)
            values = values.astype(DTYPES[e["dtype"]])
        arrays[key] = values
    header, offset, blobs = {}, 0, []
    for key, values in arrays.items():
        blob = np.ascontiguousarray(values).tobytes()
        header[key] = {"dtype": entries[key]["dtype"], "shape": list(values.shape), "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob)
        blobs.append(blob)
    encoded = json.dumps(header, separators=(",", ":")).encode()
    encoded += b" " * (-len(encoded) % 8)
    with open(safetensors_path, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        for blob in blobs:
            f.write(blob)
    if pth_path:
        import torch  # the PyTorch checkpoint format (zip + pickle), as torchvision's released RAFT weights are

        torch.save({k: torch.from_numpy(np.array(v)) for k, v in arrays.items()}, pth_path)
    print(f"stand-in weights: {len(arrays)} tensors, {offset / 2**20:.1f} MiB -> {safetensors_path}" + (f", {pth_path}" if pth_path else ""))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("describe")
    d.add_argument("file")
    m = sub.add_parser("make")
    m.add_argument("description")
    m.add_argument("--safetensors", required=True)
    m.add_argument("--pth")
    m.add_argument("--seed", type=int, default=20241126)
    args = parser.parse_args()
    if args.command == "describe":
        describe(args.file)
    else:
        make(args.description, args.safetensors, args.pth, args.seed)


if __name__ == "__main__":
    main()
