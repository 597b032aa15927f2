"""Pooling and normalization layers, keraslite vs TensorFlow, on the book's
chapter-5 convnet shapes (batch 128): MaxPooling2D 2x2 after the 26x26x32
and 11x11x64 convolutions, and BatchNormalization, AveragePooling2D and
GlobalAveragePooling2D on the same tensors.

Each layer is timed forward alone (inference) and forward + backward
(training: `training=True`, the input gradient and the weight gradients).
TensorFlow runs the Keras 3 layer inside a `tf.function` (as `fit` does),
with a `tf.GradientTape` for the training step. Best of `--repeats`
medians of `--number` calls, in ms.

    python -m benchmarks.pool_norm_layers [--repeats 5] [--number 20] [--without-tf]
"""
import argparse
import os
import statistics
import time

import numpy as np

import keraslite
from keraslite import autodiff

CASES = [
    ("MaxPooling2D 2x2", lambda L: L.MaxPooling2D(), (128, 26, 26, 32)),
    ("MaxPooling2D 2x2", lambda L: L.MaxPooling2D(), (128, 11, 11, 64)),
    ("AveragePooling2D 2x2", lambda L: L.AveragePooling2D(2), (128, 26, 26, 32)),
    ("GlobalAveragePooling2D", lambda L: L.GlobalAveragePooling2D(), (128, 11, 11, 64)),
    ("BatchNormalization", lambda L: L.BatchNormalization(), (128, 26, 26, 32)),
    ("BatchNormalization", lambda L: L.BatchNormalization(), (128, 11, 11, 64)),
]


def _best(fn, repeats, number):
    fn()  # warm-up: buffers, tracing
    runs = []
    for _ in range(repeats):
        times = []
        for _ in range(number):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        runs.append(statistics.median(times))
    return min(runs) * 1e3


def time_keraslite(make, shape, repeats, number):
    x = np.random.default_rng(0).normal(size=shape).astype("float32")
    layer = make(keraslite.layers)
    layer(x)
    dy = np.random.default_rng(1).normal(
        size=layer.compute_output_shape(shape)).astype("float32")

    def forward():
        layer(x)

    def train():
        # One pass, as fit's step: the layer's buffers are reused.
        autodiff.enter_call()
        try:
            t = autodiff.Tensor(x, requires_grad=True)
            with autodiff.Tape(watch=layer.trainable_weights) as tape:
                out = layer._eager_call(t, training=True)
            tape.gradient([(out, dy)])
        finally:
            autodiff.exit_call()

    return _best(forward, repeats, number), _best(train, repeats, number)


def time_tf(make, shape, repeats, number):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras
    import tensorflow as tf

    x = tf.constant(np.random.default_rng(0).normal(size=shape).astype("float32"))
    layer = make(keras.layers)
    layer(x)
    dy = tf.constant(np.random.default_rng(1).normal(
        size=layer.compute_output_shape(shape)).astype("float32"))

    @tf.function
    def forward():
        return layer(x, training=False)

    @tf.function
    def train():
        with tf.GradientTape() as tape:
            tape.watch(x)
            out = layer(x, training=True)
        return tape.gradient(out, [x] + layer.trainable_weights, output_gradients=dy)

    return (_best(lambda: forward().numpy(), repeats, number),
            _best(lambda: [g.numpy() for g in train()], repeats, number))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--number", type=int, default=20)
    parser.add_argument("--without-tf", action="store_true")
    args = parser.parse_args(argv)
    print(f"load average before: {' '.join(f'{v:.1f}' for v in os.getloadavg())}")
    header = ("layer", "input", "keraslite fwd", "TF fwd", "TF/kl fwd",
              "keraslite train", "TF train", "TF/kl train")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for name, make, shape in CASES:
        ours = time_keraslite(make, shape, args.repeats, args.number)
        theirs = (None, None) if args.without_tf else \
            time_tf(make, shape, args.repeats, args.number)
        cells = [name, "x".join(map(str, shape[1:]))]
        for mine, tf_ms in zip(ours, theirs):
            cells += [f"{mine:.2f}", "-" if tf_ms is None else f"{tf_ms:.2f}",
                      "-" if tf_ms is None else f"{tf_ms / mine:.2f}"]
        print("| " + " | ".join(cells) + " |", flush=True)
    print(f"load average after: {' '.join(f'{v:.1f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
