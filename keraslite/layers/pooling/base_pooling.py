"""The shared part of MaxPooling1D/2D and AveragePooling1D/2D.

Forward and backward loop over the positions of the pooling window (4 for a
2x2 pool), each a strided view of a chunk of the batch's images:
`x[a:b, i::sh, j::sw, :]`, a chunk of `CHUNK_BYTES` of input at a time so
that the passes over it read it from the cache.
"""
import itertools

import numpy as np

from keraslite.layers.input_spec import check_ndim
from keraslite.layers.layer import Layer
from keraslite.utils.argument_validation import (standardize_data_format,
                                                 standardize_padding,
                                                 standardize_tuple)


# Pooling goes through a batch this many bytes of (padded) input at a time.
CHUNK_BYTES = 512 << 10


class _Geometry:
    """Where the windows of one input shape fall: output sizes, the padding
    before each spatial axis, and one strided slice per window position."""

    def __init__(self, shape, pool_size, strides, padding, first_axis):
        spatial = shape[first_axis:first_axis + len(pool_size)]
        if padding == "valid":
            out = [(n - k) // s + 1 for n, k, s in zip(spatial, pool_size, strides)]
            before = [0] * len(out)
            padded = list(spatial)
        else:
            out = [(n - 1) // s + 1 for n, s in zip(spatial, strides)]
            total = [max((o - 1) * s + k - n, 0)
                     for o, n, k, s in zip(out, spatial, pool_size, strides)]
            before = [t // 2 for t in total]
            padded = [n + t for n, t in zip(spatial, total)]
        self.out = out
        self.before = before
        lead = (slice(None),) * first_axis
        self.padded_shape = shape[:first_axis] + tuple(padded) + \
            shape[first_axis + len(out):]
        self.out_shape = shape[:first_axis] + tuple(out) + shape[first_axis + len(out):]
        self.pad = any(p != n for p, n in zip(padded, spatial))
        # The real (unpadded) input inside the padded array.
        self.interior = lead + tuple(slice(b, b + n) for b, n in zip(before, spatial))
        self.windows = [
            lead + tuple(slice(o, o + s * (m - 1) + 1, s)
                         for o, s, m in zip(offset, strides, out))
            for offset in itertools.product(*(range(k) for k in pool_size))]
        self.overlap = any(s < k for s, k in zip(strides, pool_size))
        # Whether the windows cover every input element exactly once.
        self.tiles = not self.overlap and not self.pad and all(
            s == k and m * s == n
            for s, k, m, n in zip(strides, pool_size, out, spatial))
        # Windows side by side (strides == pool_size): they cover all of the
        # padded input but a tail past the last window on some axes (what
        # "valid" drops), the only part of `dx` the backward must zero.
        self.tail = None
        if not self.tiles and all(s == k for s, k in zip(strides, pool_size)):
            self.tail = [
                lead + (slice(None),) * i + (slice(m * k, None),)
                for i, (m, k, p) in enumerate(zip(out, pool_size, padded))
                if m * k < p]
        # How many real elements each window holds (average pooling divides
        # by it, as TensorFlow does with "same" padding).
        counts = np.ones(())
        for b, n, k, s, m in zip(before, spatial, pool_size, strides, out):
            start = np.arange(m) * s
            per_axis = np.minimum(start + k, b + n) - np.maximum(start, b)
            counts = np.multiply.outer(counts, per_axis)
        self.counts = counts.reshape((1,) * first_axis + tuple(out) +
                                     (1,) * (len(shape) - first_axis - len(out)))


class BasePooling(Layer):
    """Base pooling layer.

    Args:
        pool_size: Int or tuple of `pool_dimensions` ints, the window size.
        strides: Int or tuple of ints; None means `pool_size`.
        pool_dimensions: 1 or 2.
        pool_mode: "max" or "average".
        padding: "valid" (windows inside the input) or "same" (the output
            has `ceil(size / stride)` positions; average pooling divides by
            the number of real elements in each window).
        data_format: "channels_last" or "channels_first"; None means
            `keraslite.config.image_data_format()`.
    """

    def __init__(self, pool_size, strides, pool_dimensions, pool_mode="max",
                 padding="valid", data_format=None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.pool_size = standardize_tuple(pool_size, pool_dimensions, "pool_size")
        strides = pool_size if strides is None else strides
        self.strides = standardize_tuple(strides, pool_dimensions, "strides")
        self.pool_mode = pool_mode
        self.padding = standardize_padding(padding)
        self.data_format = standardize_data_format(data_format)
        self._ndim = pool_dimensions + 2
        self._first_axis = 1 if self.data_format == "channels_last" else 2
        self._geometries = {}

    def _geometry(self, shape):
        geometry = self._geometries.get(shape)
        if geometry is None:
            check_ndim(self, shape, self._ndim)
            probe = tuple(1 if d is None else d for d in shape)
            geometry = _Geometry(probe, self.pool_size, self.strides, self.padding,
                                 self._first_axis)
            known = [d is not None for d in shape[self._first_axis:]]
            if any(m <= 0 and k for m, k in zip(geometry.out, known)):
                raise ValueError(
                    f"Layer '{self.name}': Computed output size would be zero or "
                    f"negative. Received: `inputs.shape={shape}`, "
                    f"`pool_size={self.pool_size}`, `strides={self.strides}`, "
                    f"`padding={self.padding}`.")
            if None not in shape:
                self._geometries[shape] = geometry
        return geometry

    def build(self, input_shape):
        self._geometry(tuple(input_shape))
        self.built = True

    def _check_input_shape(self, input_shape):
        self._geometry(input_shape)

    def compute_output_shape(self, input_shape):
        out = self._geometry(tuple(input_shape)).out
        first = self._first_axis
        spatial = tuple(None if d is None else m
                        for d, m in zip(input_shape[first:], out))
        return tuple(input_shape[:first]) + spatial + \
            tuple(input_shape[first + len(out):])

    def _padded(self, x, g, fill):
        """`x` inside a border of `fill` (the "same" padding), or `x`."""
        if not g.pad:
            return x
        padded = self._buffer("padded", g.padded_shape)
        padded.fill(fill)
        padded[g.interior] = x
        return padded

    def _by_images(self, src, work):
        """Runs `work(start, stop)` over the images of the batch, a chunk of
        `CHUNK_BYTES` of `src` at a time (the window passes then read it from
        the cache)."""
        by_images(src.shape[0], src[:1].nbytes, work)

    def forward(self, x, training=False, keep=False):
        g = self._geometry(x.shape)
        y = self._buffer("y", g.out_shape)
        is_max = self.pool_mode == "max"
        src = self._padded(x, g, -np.inf if is_max else 0.0)
        combine = np.maximum if is_max else np.add
        counts = None if is_max else g.counts.astype(y.dtype)

        def pool(start, stop):
            part, out = src[start:stop], y[start:stop]
            np.copyto(out, part[g.windows[0]])
            for window in g.windows[1:]:
                combine(out, part[window], out=out)
            if counts is not None:
                out /= counts

        self._by_images(src, pool)
        if is_max:
            return y, ((g, src, y, self._slot, None) if keep else None)
        return y, ((g, None, None, self._slot, None) if keep else None)

    def _record(self, tape, inputs, outputs, ctx):
        producer = getattr(inputs, "relu_record", None)
        if producer is not None and self.pool_mode == "max":
            ctx = ctx[:-1] + ((tape, inputs, producer),)
        return super()._record(tape, inputs, outputs, ctx)

    def backward(self, ctx, dy, need_input_grad=True, from_logits=False):
        """Max: `dy` goes to the first maximum of each window in row-major
        order (as TensorFlow's MaxPoolGrad on ties). Average: `dy / count`
        goes to every element of the window. Overlapping windows add up."""
        g, src, y, slot, relu = ctx
        if not need_input_grad:
            return None, []
        if relu is not None and _takes_relu(*relu):
            # The input is a relu's output that only this layer reads: its
            # gradient is `dx * (x > 0)`, and `x > 0` where a window's
            # maximum sits exactly where `maximum > 0`; so the mask goes on
            # `dy`, a quarter of the size for a 2x2 pool, and the
            # convolution skips its relu backward (same numbers).
            dy = np.multiply(dy, y > 0, out=self._buffer("relu_dy", dy.shape, slot))
        dx = self._buffer("dx", g.padded_shape, slot)
        scratch = None
        if src is None or g.overlap:
            scratch = self._buffer("share", dy.shape, slot)
        counts = g.counts.astype(dy.dtype) if src is None else None

        def unpool(start, stop):
            part, grad = dx[start:stop], dy[start:stop]
            if g.tail is not None:
                for tail in g.tail:
                    part[tail] = 0.0
            elif not g.tiles:
                part.fill(0.0)
            if src is None:
                mean_share = np.divide(grad, counts, out=scratch[start:stop])
                for window in g.windows:
                    if g.overlap:
                        part[window] += mean_share
                    else:
                        part[window] = mean_share
                return
            # Masks without branches: `np.copyto(where=)` is slow on random masks.
            inputs = src[start:stop]
            candidates = [inputs[window] for window in g.windows]
            for window, hit in zip(g.windows, first_maxima(candidates, y[start:stop])):
                if g.overlap:
                    part[window] += np.multiply(grad, hit, out=scratch[start:stop])
                else:
                    np.multiply(grad, hit, out=part[window])

        self._by_images(dx, unpool)
        return (dx[g.interior] if g.pad else dx), []

    def get_config(self):
        return {
            **super().get_config(),
            "pool_size": self.pool_size,
            "padding": self.padding,
            "strides": self.strides,
            "data_format": self.data_format,
        }


def by_images(n, image_bytes, work):
    """Runs `work(start, stop)` over `n` images, about `CHUNK_BYTES` of
    `image_bytes` each at a time."""
    chunk = max(1, CHUNK_BYTES // max(image_bytes, 1))
    for start in range(0, n, chunk):
        work(start, min(start + chunk, n))


def first_maxima(candidates, maxima):
    """Yields for each window position, in row-major order, where it holds
    its window's first maximum (TensorFlow's MaxPoolGrad on ties): a bool
    array like `maxima`, valid until the next one. The last position takes
    every window not yet claimed (those holding NaN too)."""
    unclaimed = np.ones(maxima.shape, bool)
    hit = np.empty(maxima.shape, bool)
    last = len(candidates) - 1
    for position, values in enumerate(candidates):
        if position < last:
            np.equal(values, maxima, out=hit)
            hit &= unclaimed
            unclaimed ^= hit
            yield hit
        else:
            yield unclaimed


def first_max_shares(candidates, maxima, remaining):
    """`first_maxima` for window positions held in separate contiguous
    blocks (ConvPool's): the pooled gradient `remaining` is shared out over
    `candidates` in place, each position's block overwritten, once compared,
    with the gradient of the windows whose first maximum sits there; the
    last block is `remaining` itself and keeps what is left (the windows
    holding NaN too). Three passes per position, none bool-only (`equal`,
    `multiply`, `subtract`), 20% faster than the masks on a 64x13x13x32
    2x2 pool; slower than the masks where the blocks are strided windows
    of one array (MaxPooling2D's `dx`: 1.5 -> 2.1 ms)."""
    hit = np.empty(maxima.shape, bool)
    for block in candidates[:-1]:
        np.equal(block, maxima, out=hit)
        np.multiply(remaining, hit, out=block)
        np.subtract(remaining, block, out=remaining)  # 0 where claimed


def _takes_relu(tape, tensor, producer):
    """Whether `tensor` (a relu's output) has no gradient yet and no reader
    on `tape` but this pooling (then its producer skips its relu backward)."""
    if tensor.grad is not None or tape.readers(tensor) != 1:
        return False
    producer.from_logits = True
    return True
