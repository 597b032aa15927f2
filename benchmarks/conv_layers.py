"""keraslite's convolutions against TensorFlow's on the book's convnet.

The chapter-5 MNIST convnet of "Deep Learning with Python" (batch 128):

    28x28x1  -> Conv2D(32, 3x3, relu) -> 26x26x32 -> MaxPooling2D
    13x13x32 -> Conv2D(64, 3x3, relu) -> 11x11x64 -> MaxPooling2D
    5x5x64   -> Conv2D(64, 3x3, relu) -> 3x3x64

Each layer's training step is timed in isolation: forward (keeping what the
backward needs) and backward (kernel and bias gradients; the input gradient
for every layer but the first, which has nothing below it). TensorFlow runs
the same maths as `tf.nn.conv2d` + bias + relu under `tf.GradientTape`
(eager, as Keras 3 runs a layer outside `tf.function`) and inside a
`tf.function` (as Keras's `fit` does). Run with

    python -m benchmarks.conv_layers [--repeats 30] [--threads 1] [--json out.json]

and read the ratios: TensorFlow time / keraslite time (> 1: keraslite is
faster), and keraslite / its GEMM floor (the bare matrix products of the
lowering; what is above 1 is im2col, col2im, bias and relu). Nothing here
is asserted; tests only check the script runs.
"""
import argparse
import json
import os
import sys
import time

import numpy as np

# (name, input shape without batch, filters, whether the input gradient is needed)
SHAPES = [
    ("conv1 28x28x1 -> 26x26x32", (28, 28, 1), 32, False),
    ("conv2 13x13x32 -> 11x11x64", (13, 13, 32), 64, True),
    ("conv3 5x5x64 -> 3x3x64", (5, 5, 64), 64, True),
]


def _best(fn, repeats):
    """Median and best seconds of `fn()` over `repeats` timed runs (after two warm-ups)."""
    fn()
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times)), float(np.min(times))


def keraslite_step(shape, filters, need_input_grad, batch):
    """A function running one forward + backward of keraslite's Conv2D."""
    import keraslite

    layer = keraslite.layers.Conv2D(filters, 3, activation="relu")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(batch,) + shape).astype("float32")
    layer(x[:1])
    out_shape = (batch,) + layer.compute_output_shape((None,) + shape)[1:]
    dy = rng.normal(size=out_shape).astype("float32")
    work = np.empty_like(dy)

    def step():
        y, ctx = layer.forward(x, training=True, keep=True)
        np.copyto(work, dy)  # the backward overwrites its output gradient
        layer.backward(ctx, work, need_input_grad=need_input_grad)

    return step


def gemm_floor_step(shape, filters, need_input_grad, batch):
    """The bare matrix products of keraslite's lowering: the forward
    `col @ kernel`, the kernel gradient `col.T @ dz` and (when needed) the
    column gradient `dz @ kernel.T`, on preallocated arrays."""
    rng = np.random.default_rng(0)
    rows, taps = batch * (shape[0] - 2) * (shape[1] - 2), 9 * shape[-1]
    col = rng.normal(size=(rows, taps)).astype("float32")
    kernel = rng.normal(size=(taps, filters)).astype("float32")
    z = np.empty((rows, filters), "float32")
    d_kernel = np.empty_like(kernel)
    d_col = np.empty_like(col)

    def step():
        np.matmul(col, kernel, out=z)
        np.matmul(col.T, z, out=d_kernel)
        if need_input_grad:
            np.matmul(z, kernel.T, out=d_col)

    return step


def tensorflow_steps(shape, filters, need_input_grad, batch):
    """Eager and tf.function versions of the same step in TensorFlow."""
    import tensorflow as tf

    rng = np.random.default_rng(0)
    x = tf.constant(rng.normal(size=(batch,) + shape).astype("float32"))
    kernel = tf.Variable(rng.normal(size=(3, 3, shape[-1], filters)).astype("float32") * 0.1)
    bias = tf.Variable(np.zeros(filters, "float32"))
    out_shape = (batch, shape[0] - 2, shape[1] - 2, filters)
    dy = tf.constant(rng.normal(size=out_shape).astype("float32"))

    def step():
        with tf.GradientTape() as tape:
            if need_input_grad:
                tape.watch(x)
            y = tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(x, kernel, 1, "VALID"), bias))
        targets = [kernel, bias] + ([x] if need_input_grad else [])
        grads = tape.gradient(y, targets, output_gradients=dy)
        return grads

    compiled = tf.function(step)

    def run_eager():
        grads = step()
        grads[0].numpy()

    def run_compiled():
        grads = compiled()
        grads[0].numpy()

    return run_eager, run_compiled


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--json", default=None, help="write the results here")
    parser.add_argument("--no-tensorflow", action="store_true",
                        help="time keraslite only")
    parser.add_argument("--threads", type=int, default=None,
                        help="threads for OpenBLAS and TensorFlow alike (default: "
                             "their own defaults)")
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if args.threads and os.environ.get("OPENBLAS_NUM_THREADS") != str(args.threads):
        # OpenBLAS reads its thread count when NumPy loads: start again with it.
        env = dict(os.environ, OPENBLAS_NUM_THREADS=str(args.threads))
        os.execve(sys.executable, [sys.executable, "-m", "benchmarks.conv_layers"]
                  + sys.argv[1:], env)
    if args.threads and not args.no_tensorflow:
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
        tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    rows = []
    for name, shape, filters, need in SHAPES:
        row = {"layer": name, "batch": args.batch, "threads": args.threads or 0}
        row["keraslite_ms"] = 1e3 * _best(
            keraslite_step(shape, filters, need, args.batch), args.repeats)[0]
        row["gemm_floor_ms"] = 1e3 * _best(
            gemm_floor_step(shape, filters, need, args.batch), args.repeats)[0]
        row["keraslite/floor"] = row["keraslite_ms"] / row["gemm_floor_ms"]
        if not args.no_tensorflow:
            eager, compiled = tensorflow_steps(shape, filters, need, args.batch)
            row["tf_eager_ms"] = 1e3 * _best(eager, args.repeats)[0]
            row["tf_function_ms"] = 1e3 * _best(compiled, args.repeats)[0]
            row["tf_eager/keraslite"] = row["tf_eager_ms"] / row["keraslite_ms"]
            row["tf_function/keraslite"] = row["tf_function_ms"] / row["keraslite_ms"]
        rows.append(row)
    if not args.no_tensorflow:
        total = {key: sum(r[key] for r in rows)
                 for key in ("keraslite_ms", "gemm_floor_ms", "tf_eager_ms",
                             "tf_function_ms")}
        rows.append({"layer": "all three", "batch": args.batch,
                     "threads": args.threads or 0, **total,
                     "keraslite/floor": total["keraslite_ms"] / total["gemm_floor_ms"],
                     "tf_eager/keraslite": total["tf_eager_ms"] / total["keraslite_ms"],
                     "tf_function/keraslite": total["tf_function_ms"] / total["keraslite_ms"]})
    keys = [k for k in rows[0] if k not in ("layer", "batch", "threads")]
    print(f"{'layer (forward + backward, median)':<34}" + "".join(f"{k:>23}" for k in keys))
    for r in rows:
        print(f"{r['layer']:<34}" + "".join(f"{r[k]:>23.3f}" for k in keys))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)
    return rows


if __name__ == "__main__":
    main()
