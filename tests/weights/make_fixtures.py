#!/usr/bin/python3
"""Writes the weights fixtures of tests/cli_weights_formats.sh: one small
network trained here with NumPy on XOR-like data (widths 2,3,2, tanh, one
logit), saved as layerwarp's text format and as the files people have.

    /usr/bin/python3 tests/weights/make_fixtures.py   (Debian: python3-numpy)

Every number is rounded to float32 first, so the float64 text, the float64
.npz and the float32 safetensors hold the same doubles and must draw the same
frames.  safetensors is written with json and struct, per its format (an
8-byte little-endian header length, a JSON header, the bytes): Debian has no
safetensors package.  The outputs are committed: the tests never run this.

Files (tests/weights/):
  xor.txt                  layerwarp-weights 1
  xor.npz                  numpy.savez, layerwarp naming W1 b1 W2 b2 Wout bout
                           (W1 stored in Fortran order)
  xor.safetensors          PyTorch naming of nn.Sequential(Linear(2,3), Tanh,
                           Linear(3,2), Tanh, Linear(2,1)): 0.weight 0.bias
                           2.weight 2.bias 4.weight 4.bias, F32
  xor-2logits.npz          numpy.savez_compressed, PyTorch naming under a
                           prefix (net.0.weight ...), a readout of two logits
                           whose difference is the one logit above
  bad-missing.safetensors  xor.safetensors without 2.bias
  bad-dtype.npz            xor.npz with W2 as int64
  bad-extra.npz            xor.npz and a tensor 'step' no layer uses
  bad-huge.safetensors     W1 declared 2^60 x 2
  vae.txt                  layerwarp-weights 2: a VAE (moons, widths 2,6,2,
                           latent 2, tanh), seeded random, not trained
  vae.safetensors          the same, PyTorch naming: encoder.0.weight (6x2),
                           encoder.2.weight (4x6: the mean's rows, then the
                           log-variance's), decoder.0.weight, decoder.2.weight
"""
import io
import json
import os
import struct
import zipfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def xor_data(rng, n=400, noise=0.15):
    """Like layerwarp's kind = xor: class 1 where x and y differ in sign."""
    centres = np.array([[-1, -1], [1, 1], [-1, 1], [1, -1]], dtype=float) * 0.75
    label = rng.integers(0, 4, n)
    x = centres[label] + rng.normal(0, noise, (n, 2))
    return x, (label >= 2).astype(float)


def train(seed=15, steps=3000, rate=0.5):
    """Full-batch gradient descent on the mean cross-entropy."""
    rng = np.random.default_rng(seed)
    x, y = xor_data(rng)
    W1, b1 = rng.normal(0, 1.0, (3, 2)), np.zeros(3)
    W2, b2 = rng.normal(0, 0.8, (2, 3)), np.zeros(2)
    Wo, bo = rng.normal(0, 0.8, (1, 2)), np.zeros(1)
    n = len(x)
    for _ in range(steps):
        h1 = np.tanh(x @ W1.T + b1)
        h2 = np.tanh(h1 @ W2.T + b2)
        z = (h2 @ Wo.T + bo)[:, 0]
        p = 1 / (1 + np.exp(-z))
        dz = (p - y)[:, None] / n
        dWo, dbo = dz.T @ h2, dz.sum(0)
        d2 = (dz @ Wo) * (1 - h2 ** 2)
        dW2, db2 = d2.T @ h1, d2.sum(0)
        d1 = (d2 @ W2) * (1 - h1 ** 2)
        dW1, db1 = d1.T @ x, d1.sum(0)
        for a, g in ((W1, dW1), (b1, db1), (W2, dW2), (b2, db2), (Wo, dWo), (bo, dbo)):
            a -= rate * g
    acc = ((p > 0.5) == (y > 0.5)).mean()
    f32 = lambda a: a.astype(np.float32).astype(np.float64)
    return {"W1": f32(W1), "b1": f32(b1), "W2": f32(W2), "b2": f32(b2),
            "Wout": f32(Wo), "bout": f32(bo)}, acc


def write_text(path, net):
    with open(path, "w") as f:
        f.write("# written by tests/weights/make_fixtures.py\n")
        f.write("layerwarp-weights 1\nwidths 2 3 2\nactivations tanh tanh\nclasses 2\n")
        for name in ("W1", "b1", "W2", "b2", "Wout", "bout"):
            a = np.atleast_2d(net[name])
            f.write(name + "\n")
            for row in a:
                f.write(" ".join(repr(float(v)) for v in row) + "\n")


def write_safetensors(path, tensors, shapes=None):
    """tensors: name -> array (written in its dtype, F32 or F64), in order;
    shapes overrides a declared shape (for the oversized fixture)."""
    header, blobs, at = {}, [], 0
    for name, a in tensors.items():
        dtype = {np.dtype("float32"): "F32", np.dtype("float64"): "F64"}[a.dtype]
        raw = a.astype(a.dtype.newbyteorder("<")).tobytes()
        shape = (shapes or {}).get(name, list(a.shape))
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [at, at + len(raw)]}
        blobs.append(raw)
        at += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)


def torch_names(net, prefix=""):
    """nn.Sequential(Linear, Tanh, Linear, Tanh, Linear): Linear layers 0, 2, 4."""
    out = {}
    for i, (W, b) in enumerate((("W1", "b1"), ("W2", "b2"), ("Wout", "bout"))):
        out["%s%d.weight" % (prefix, 2 * i)] = net[W]
        out["%s%d.bias" % (prefix, 2 * i)] = net[b]
    return out


def write_vae(text_path, st_path, seed=2):
    """A VAE of tests/lib.sh's small_generative_scene vae: encoder 2-6-(2+2),
    decoder 2-6-2, tanh then a linear last layer."""
    rng = np.random.default_rng(seed)
    f32 = lambda *shape: rng.normal(0, 0.7, shape).astype(np.float32).astype(np.float64)
    enc = [(f32(6, 2), f32(6)), (f32(4, 6), f32(4))]
    dec = [(f32(6, 2), f32(6)), (f32(2, 6), f32(2))]
    rows = lambda a: "".join(" ".join(repr(float(v)) for v in r) + "\n" for r in np.atleast_2d(a))
    with open(text_path, "w") as f:
        f.write("# written by tests/weights/make_fixtures.py\n")
        f.write("layerwarp-weights 2\nmodel vae\nlatent 2\nprior gaussian\n")
        f.write("network encoder\nwidths 2 6 4\nactivations tanh identity\n")
        (W1, b1), (W2, b2) = enc
        f.write("W1\n" + rows(W1) + "b1\n" + rows(b1))
        f.write("Wmean\n" + rows(W2[:2]) + "bmean\n" + rows(b2[:2]))
        f.write("Wlogvar\n" + rows(W2[2:]) + "blogvar\n" + rows(b2[2:]))
        f.write("network decoder\nwidths 2 6 2\nactivations tanh identity\n")
        for l, (W, b) in enumerate(dec):
            f.write("W%d\n" % (l + 1) + rows(W) + "b%d\n" % (l + 1) + rows(b))
    tensors = {}
    for net, layers in (("encoder", enc), ("decoder", dec)):
        for l, (W, b) in enumerate(layers):
            tensors["%s.%d.weight" % (net, 2 * l)] = W.astype(np.float32)
            tensors["%s.%d.bias" % (net, 2 * l)] = b.astype(np.float32)
    write_safetensors(st_path, tensors)


def main():
    net, acc = train()
    print("trained: accuracy %.3f" % acc)
    out = lambda name: os.path.join(HERE, name)
    write_text(out("xor.txt"), net)

    npz = dict(net)
    npz["W1"] = np.asfortranarray(net["W1"])
    np.savez(out("xor.npz"), **npz)

    f32 = {k: v.astype(np.float32) for k, v in torch_names(net).items()}
    write_safetensors(out("xor.safetensors"), f32)

    two = torch_names(net, "net.")
    # two logits (z0, z1) with z1 - z0 the one logit: halves are exact
    two["net.4.weight"] = np.vstack([-net["Wout"] / 2, net["Wout"] / 2])
    two["net.4.bias"] = np.concatenate([-net["bout"] / 2, net["bout"] / 2])
    np.savez_compressed(out("xor-2logits.npz"), **two)

    missing = dict(f32)
    del missing["2.bias"]
    write_safetensors(out("bad-missing.safetensors"), missing)

    np.savez(out("bad-dtype.npz"), **dict(net, W2=np.arange(6, dtype=np.int64).reshape(2, 3)))
    np.savez(out("bad-extra.npz"), **dict(net, step=np.array([3000.0])))
    write_safetensors(out("bad-huge.safetensors"), f32, {"0.weight": [2 ** 60, 2]})
    write_vae(out("vae.txt"), out("vae.safetensors"))


if __name__ == "__main__":
    main()
