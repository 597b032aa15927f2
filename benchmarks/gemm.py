"""The GEMM floor: the bare NumPy float32 matrix products of a workload.

The floor of training a `Dense(hidden, relu) -> Dense(classes)` network is,
per step, the five products that any implementation must do:

    forward          x @ W1      (batch x features x hidden)
                     h @ W2      (batch x hidden x classes)
    weight grads     x.T @ d1,  h.T @ d2
    hidden grad      d2 @ W2.T

(the first layer's input gradient is not needed). Biases, activations,
the loss, the optimizer and the metrics are left out on purpose: the floor
is what the BLAS alone costs, so `fit / floor` is the price of everything
else. Outputs go to preallocated buffers (`out=`) and the inputs are the
same contiguous slices of the training data, batch by batch.
"""
import time

import numpy as np


def _batches(n, batch_size):
    return [(start, min(start + batch_size, n)) for start in range(0, n, batch_size)]


def train_floor(x, hidden, classes, batch_size, epochs, steps_per_epoch=None):
    """Seconds of the bare matmuls of `epochs` of training on `x`.

    Args:
        x: float32 array (samples, features), the training inputs.
        hidden, classes: Layer widths.
        batch_size: Samples per step (the last batch may be smaller).
        epochs: Number of passes.
        steps_per_epoch: Optional cap on steps per pass.

    Returns:
        (seconds, steps).
    """
    n, features = x.shape
    rng = np.random.default_rng(0)
    w1 = rng.standard_normal((features, hidden), dtype=np.float32) * 0.05
    w2 = rng.standard_normal((hidden, classes), dtype=np.float32) * 0.05
    g1 = np.empty_like(w1)
    g2 = np.empty_like(w2)
    h_buf = np.empty((batch_size, hidden), np.float32)
    z_buf = np.empty((batch_size, classes), np.float32)
    d1_buf = rng.standard_normal((batch_size, hidden), dtype=np.float32)
    d2_buf = rng.standard_normal((batch_size, classes), dtype=np.float32)
    batches = _batches(n, batch_size)
    if steps_per_epoch is not None:
        batches = batches[:steps_per_epoch]
    # One untimed step so that BLAS threads are up, as they are during fit.
    _train_step(x[:batch_size], w1, w2, g1, g2, h_buf, z_buf, d1_buf, d2_buf)
    start_time = time.perf_counter()
    for _ in range(epochs):
        for start, stop in batches:
            _train_step(x[start:stop], w1, w2, g1, g2,
                        h_buf, z_buf, d1_buf, d2_buf)
    return time.perf_counter() - start_time, epochs * len(batches)


def _train_step(xb, w1, w2, g1, g2, h_buf, z_buf, d1_buf, d2_buf):
    m = len(xb)
    h = h_buf[:m]
    d1 = d1_buf[:m]
    d2 = d2_buf[:m]
    np.matmul(xb, w1, out=h)                 # forward, layer 1
    np.matmul(h, w2, out=z_buf[:m])          # forward, layer 2
    np.matmul(h.T, d2, out=g2)               # weight gradient, layer 2
    np.matmul(d2, w2.T, out=d1)              # gradient of the hidden output
    np.matmul(xb.T, d1, out=g1)              # weight gradient, layer 1


def predict_floor(x, hidden, classes, batch_size):
    """Seconds of the bare forward matmuls of predicting `x` batch by batch."""
    n, features = x.shape
    rng = np.random.default_rng(0)
    w1 = rng.standard_normal((features, hidden), dtype=np.float32) * 0.05
    w2 = rng.standard_normal((hidden, classes), dtype=np.float32) * 0.05
    h_buf = np.empty((batch_size, hidden), np.float32)
    out = np.empty((n, classes), np.float32)
    np.matmul(x[:batch_size], w1, out=h_buf[:min(batch_size, n)])
    start_time = time.perf_counter()
    for start, stop in _batches(n, batch_size):
        h = h_buf[:stop - start]
        np.matmul(x[start:stop], w1, out=h)
        np.matmul(h, w2, out=out[start:stop])
    return time.perf_counter() - start_time



# --- the chapter-5 convnet -----------------------------------------------------------
# (input height/width/channels, filters) of its three 3x3 valid convolutions,
# then its two Dense layers (inputs, units).
CONVNET_CONVS = ((28, 1, 32), (13, 32, 64), (5, 64, 64))
CONVNET_DENSES = ((576, 64), (64, 10))


def convnet_train_floor(n, batch_size, epochs):
    """Seconds of the bare matmuls of keraslite's lowering of the chapter-5
    convnet, trained on `n` images for `epochs` (the last batch smaller).

    Per step and convolution (im2col: `rows = batch * OH * OW`, `taps = 9 *
    C`): the forward `col @ kernel` (rows x taps x F), the kernel gradient
    `col.T @ dz` and, except for the first convolution (nothing below it),
    the column gradient `dz @ kernel.T`; per Dense layer the forward, the
    weight gradient and the input gradient. im2col/col2im copies, biases,
    relu, pooling, the loss and the optimizer are left out.

    Returns:
        (seconds, steps).
    """
    rng = np.random.default_rng(0)

    def normal(*shape):
        return rng.standard_normal(shape, dtype=np.float32)

    convs = []  # (output size, needs the column gradient, col, kernel, z, dz, d_kernel, d_col)
    for size, channels, filters in CONVNET_CONVS:
        rows, taps = batch_size * (size - 2) ** 2, 9 * channels
        convs.append((size - 2, channels > 1, normal(rows, taps), normal(taps, filters),
                      np.empty((rows, filters), np.float32), normal(rows, filters),
                      np.empty((taps, filters), np.float32),
                      np.empty((rows, taps), np.float32)))
    denses = [(normal(batch_size, k), normal(k, units),
               np.empty((batch_size, units), np.float32), normal(batch_size, units),
               np.empty((k, units), np.float32), np.empty((batch_size, k), np.float32))
              for k, units in CONVNET_DENSES]
    batches = _batches(n, batch_size)

    def step(m):
        for out_size, column_grad, col, kernel, z, dz, d_kernel, d_col in convs:
            r = m * out_size * out_size
            np.matmul(col[:r], kernel, out=z[:r])                # forward
            np.matmul(col[:r].T, dz[:r], out=d_kernel)           # kernel gradient
            if column_grad:
                np.matmul(dz[:r], kernel.T, out=d_col[:r])       # column gradient
        for x, w, y, dy, d_w, dx in denses:
            np.matmul(x[:m], w, out=y[:m])
            np.matmul(x[:m].T, dy[:m], out=d_w)
            np.matmul(dy[:m], w.T, out=dx[:m])

    step(batch_size)  # untimed: BLAS threads up, as during fit
    start_time = time.perf_counter()
    for _ in range(epochs):
        for start, stop in batches:
            step(stop - start)
    return time.perf_counter() - start_time, epochs * len(batches)
