"""The NumPy loop: the book's training written by hand in plain NumPy.

Where the GEMM floor (`gemm.py`) times only the five matrix products, this
is the whole of keraslite's training step with every framework part taken
out: a lower bound for *any* engine that runs the step as NumPy calls. Per
epoch it shuffles; per step of `batch_size` samples it does

    gather       x[idx], labels[idx]                       (np.take)
    forward      h = relu(x @ W1 + b1), z = h @ W2 + b2
    loss         categorical crossentropy of softmax(z), from the logits
                 as Keras computes it (logsumexp - picked logit), mean
    metrics      accuracy (argmax(z) == label), running sums of both
    backward     dz = (softmax(z) - y) / m, dW2 = h.T @ dz, db2 = sum(dz),
                 dh = (dz @ W2.T) * (h > 0), dW1 = x.T @ dh, db1 = sum(dh)
    optimizer    RMSprop with Keras's defaults and its rounding order
                 (v = rho*v + (1-rho)*g**2; w -= (lr*g) / sqrt(v + eps)),
                 in blocks of 64K elements, keraslite's block size

with the outputs in preallocated buffers, under `flush_denormals()` as
keraslite's fit runs. Nothing else: no layers, tape, loss or metric objects,
input checks, callbacks or logs. The labels are taken as class indices
(`argmax` of the one-hot rows, once), so the loss and its gradient read one
value per row, as the one-hot crossentropy's do for exactly one-hot labels.

`tests/test_numpy_loop.py` checks that its weights after a few steps equal
keraslite's fit of the same network from the same weights.
"""
import time

import numpy as np

from keraslite.utils.denormal import flush_denormals

BLOCK = 1 << 16  # keraslite.optimizers.optimizer._BLOCK


def glorot_weights(features, hidden, classes, seed=0):
    """[W1, b1, W2, b2]: Glorot-uniform kernels, zero biases (Keras's
    defaults), float32."""
    rng = np.random.default_rng(seed)

    def glorot(fan_in, fan_out):
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32)

    return [glorot(features, hidden), np.zeros(hidden, np.float32),
            glorot(hidden, classes), np.zeros(classes, np.float32)]


class _RMSprop:
    """Keras's RMSprop (rho 0.9, epsilon 1e-7, no momentum), blocked."""

    def __init__(self, weights, learning_rate=0.001, rho=0.9, epsilon=1e-7):
        self.velocities = [np.zeros(w.size, np.float32) for w in weights]
        self.lr = np.float32(learning_rate)
        self.rho = np.float32(rho)
        self.one_minus_rho = np.float32(1.0 - rho)
        self.epsilon = np.float32(epsilon)
        size = min(BLOCK, max(w.size for w in weights))
        self.tmp = np.empty(size, np.float32)
        self.scaled = np.empty(size, np.float32)

    def apply(self, gradients, weights):
        for g, w, v in zip(gradients, weights, self.velocities):
            g, w = g.reshape(-1), w.reshape(-1)
            for start in range(0, w.size, BLOCK):
                gb, wb, vb = (a[start:start + BLOCK] for a in (g, w, v))
                tmp, scaled = self.tmp[:gb.size], self.scaled[:gb.size]
                vb *= self.rho
                np.square(gb, out=tmp)
                tmp *= self.one_minus_rho
                vb += tmp
                np.add(vb, self.epsilon, out=tmp)
                np.sqrt(tmp, out=tmp)
                np.multiply(gb, self.lr, out=scaled)
                np.divide(scaled, tmp, out=tmp)
                wb -= tmp


def train(x, y, batch_size, epochs, weights, shuffle=True, seed=0):
    """Trains [W1, b1, W2, b2] (updated in place) on `x` (float32, samples x
    features) and one-hot `y` for `epochs`.

    Returns:
        (seconds, epoch seconds, history {"loss": [...], "accuracy": [...]}):
        each epoch's mean over its samples, as Keras's History.
    """
    w1, b1, w2, b2 = weights
    n = len(x)
    labels = np.argmax(y, axis=-1)
    hidden, classes = w1.shape[1], w2.shape[1]
    h_buf = np.empty((batch_size, hidden), np.float32)
    dh_buf = np.empty((batch_size, hidden), np.float32)
    z_buf = np.empty((batch_size, classes), np.float32)
    x_buf = np.empty((batch_size, x.shape[1]), np.float32)
    grads = [np.empty_like(w) for w in weights]
    dw1, db1, dw2, db2 = grads
    rows = np.arange(batch_size)
    optimizer = _RMSprop(weights)
    rng = np.random.default_rng(seed)
    history = {"loss": [], "accuracy": []}
    epoch_s = []
    start_time = time.perf_counter()
    with flush_denormals():
        for _ in range(epochs):
            epoch_start = time.perf_counter()
            order = rng.permutation(n) if shuffle else np.arange(n)
            loss_sum = accuracy_sum = 0.0
            for start in range(0, n, batch_size):
                idx = order[start:start + batch_size]
                m = len(idx)
                xb = np.take(x, idx, axis=0, out=x_buf[:m])
                lb = labels[idx]
                h, z, dh, r = h_buf[:m], z_buf[:m], dh_buf[:m], rows[:m]
                np.matmul(xb, w1, out=h)
                h += b1
                np.maximum(h, 0, out=h)
                np.matmul(h, w2, out=z)
                z += b2
                predicted = np.argmax(z, axis=-1)
                z -= np.maximum.reduce(z, axis=-1, keepdims=True)
                picked = z[r, lb]
                np.exp(z, out=z)
                total = np.add.reduce(z, axis=-1, keepdims=True)
                loss_sum += float(np.add.reduce(np.log(total[:, 0]) - picked))
                accuracy_sum += float(np.count_nonzero(predicted == lb))
                z /= total               # softmax
                z[r, lb] -= 1            # - y
                z *= np.float32(1.0 / m)  # the mean's gradient
                np.matmul(h.T, z, out=dw2)
                np.add.reduce(z, axis=0, out=db2)
                np.matmul(z, w2.T, out=dh)
                np.multiply(dh, h > 0, out=dh)
                np.matmul(xb.T, dh, out=dw1)
                np.add.reduce(dh, axis=0, out=db1)
                optimizer.apply(grads, weights)
            history["loss"].append(loss_sum / n)
            history["accuracy"].append(accuracy_sum / n)
            epoch_s.append(time.perf_counter() - epoch_start)
    return time.perf_counter() - start_time, epoch_s, history
