"""A relu convolution read only by a max pooling over tiles, run as one step.

A Sequential model runs `Conv2D(activation="relu")` followed by a
`MaxPooling2D` whose windows tile the convolution's output (pool_size ==
strides, "valid", both channels_last) as one step, `ConvPool` (`plan`); so
does a functional model where such a pooling is the only reader of the
convolution's output (`plan_graph`). The book's chapter-5 (1st edition,
Sequential) and chapter-8 (2nd edition, functional) convnets and Keras's
MNIST convnet are made of such pairs.

- The column matrix's rows are ordered by window position: for a ki x kj
  pool, ki * kj blocks, block (a, b) holding the output pixels
  (a + ki * i, b + kj * j) of every image. The product gives each position's
  outputs as one contiguous block, and the pooling is ki * kj - 1 maxima of
  contiguous blocks instead of strided views. Output pixels that no window
  covers (the last row or column "valid" drops) are not computed.
- relu comes after the pooling, on a ki * kj-th of the values:
  max(relu(z)) == relu(max(z)).
- Backward: each window's gradient goes to its first maximum in row-major
  order (as TensorFlow's MaxPoolGrad on ties), times relu's derivative at
  the pooled value (where the pooled value is > 0 the maximum is, so is the
  claimed input); the blocks stay contiguous, the kernel gradient is one
  product over the covered pixels, and the input gradient scatters the
  blocks back to image order for the convolution's col2im.

The numbers are those of the two layers run one after the other but for
the order of the additions in the products (the kernel gradient sums the
same terms, the pixels in another order) and the sign of a zero output.
"""
import collections

import numpy as np
from numpy.lib.stride_tricks import as_strided

from keraslite import activations, autodiff
from keraslite.layers.convolutional.base_conv import (bias_folded, col_shape,
                                                      taps_major)
from keraslite.layers.layer import number_call
from keraslite.layers.pooling.base_pooling import by_images, first_max_shares


def fusable(conv, pool):
    """Whether `conv` then `pool` (consecutive built layers of a plain
    Sequential stack) can run as one `ConvPool`."""
    from keraslite.layers.convolutional.conv2d import Conv2D
    from keraslite.layers.pooling.max_pooling2d import MaxPooling2D

    return (type(conv) is Conv2D and type(pool) is MaxPooling2D
            and conv.data_format == "channels_last" == pool.data_format
            and conv._act_forward is activations._relu_forward
            and conv._act_backward is activations._relu_backward
            and conv.activity_regularizer is None
            and pool.activity_regularizer is None
            and pool.padding == "valid" and pool.pool_size == pool.strides
            and conv.dtype == pool.dtype)


def _view(array, shape):
    """`array` reshaped without a copy (raises if it would need one)."""
    return np.reshape(array, shape, copy=False)


def im2col_tiled(xp, g, pool_size, tiles, col):
    """`im2col` with the rows in window-position blocks (see the module).

    `col` holds (groups, rows, taps), or (groups, taps, rows) when
    `taps_major(g)`, with rows = ki * kj * N * PH * PW for `tiles` (PH, PW).
    """
    (ki, kj), (ph, pw) = pool_size, tiles
    sn, sy, sx, sc = xp.strides
    cg = g.c // g.groups
    tap = ((g.kh, sy * g.dh), (g.kw, sx * g.dw), (cg, sc))
    # One strided view for all blocks (one copy: faster than one per block).
    position = ((ki, sy * g.sh), (kj, sx * g.sw), (g.n, sn),
                (ph, sy * g.sh * ki), (pw, sx * g.sw * kj))
    axes = ((g.groups, sc * cg),) + (tap + position if taps_major(g) else position + tap)
    windows = as_strided(xp, shape=[a[0] for a in axes],
                         strides=[a[1] for a in axes], writeable=False)
    np.copyto(_view(col, windows.shape), windows)


class ConvPool:
    """`pool(conv(x))` for a `fusable` pair, in one forward and one backward."""

    def __init__(self, conv, pool):
        self.conv = conv
        self.pool = pool

    def call(self, x, training=False):
        """As `Layer.call` of the two layers: runs the forward, and on an
        active tape records one backward for both."""
        state = autodiff._STATE
        number_call(self.conv, state)
        number_call(self.pool, state)
        tape = state["tape"]
        conv = self.conv
        keep = tape is not None and (autodiff.needs_grad(x) or
                                     any(tape.watches(w) for w in conv._weights))
        y, ctx = self.forward(autodiff.value_of(x), keep)
        if not keep:
            return y
        out = autodiff.Tensor(y, requires_grad=True)
        trainable = conv.trainable_weights if conv.trainable else []

        def backward(grads):
            dx, weight_grads = self.backward(ctx, grads[0], autodiff.needs_grad(x))
            for var, grad in zip(trainable, weight_grads):
                if tape.watches(var):
                    tape.add_weight_grad(var, grad)
            return [dx]

        tape.record(backward, [x], [out])
        return out

    def forward(self, x, keep=False):
        conv, pool = self.conv, self.pool
        slot = conv._slot
        kernel = conv.kernel.value
        groups = conv._groups()
        bias = conv.bias.value if conv.use_bias else None
        g = conv._geometry(x.shape, groups)
        filters = kernel.shape[-1]
        tiled = pool._geometry((g.n, g.oh, g.ow, filters))  # Keras's size errors
        tiles = (tiled.out[0], tiled.out[1])
        blocks = pool.pool_size[0] * pool.pool_size[1]
        rows = blocks * g.n * tiles[0] * tiles[1]
        xp = conv._padded(x, g, slot)
        fold = bias is not None and groups == 1 and taps_major(g)
        # The buffer of the unfused forward (the input gradient reuses all of it).
        full = conv._buffer("col", col_shape(g, fold, g.rows), slot)
        shape = col_shape(g, fold, rows)
        col = _view(full.reshape(-1)[:np.prod(shape)], shape)
        im2col_tiled(xp, g, pool.pool_size, tiles, col[:, :g.taps] if fold else col)
        z = conv._col_product(g, col, kernel, bias, rows, slot)
        y = pool._buffer("y", tiled.out_shape)
        zb = _view(z, (blocks,) + tiled.out_shape)

        def pool_tiles(start, stop):
            out = y[start:stop]
            np.maximum(zb[0, start:stop], zb[1 % blocks, start:stop], out=out)
            for p in range(2, blocks):
                np.maximum(out, zb[p, start:stop], out=out)

        by_images(g.n, y[:1].nbytes * blocks, pool_tiles)
        conv._act_forward(y)
        if not keep:
            return y, None
        return y, (g, full, col, z, y, x.shape, tiles, slot)

    def backward(self, ctx, dy, need_input_grad=True):
        """The input gradient (or None) and the convolution's `[dkernel, dbias]`.

        Overwrites the forward's `z` with its gradient and `col` with the
        column gradient."""
        conv, pool = self.conv, self.pool
        g, full, col, z, y, input_shape, tiles, slot = ctx
        blocks = pool.pool_size[0] * pool.pool_size[1]
        zb = _view(z, (blocks,) + y.shape)

        def unpool(start, stop):
            # Each window's gradient to its first maximum, written over `z`:
            # the last block's values are not compared (what no earlier
            # position claims goes there), so it starts as the whole
            # gradient, with relu's derivative at the pooled value (see the
            # module).
            part, maxima = zb[:, start:stop], y[start:stop]
            remaining = part[-1]
            np.multiply(dy[start:stop], maxima > 0, out=remaining)
            first_max_shares(part, maxima, remaining)

        by_images(g.n, y[:1].nbytes * blocks, unpool)
        dz = z
        kernel = conv.kernel.value
        d_kernel = conv._buffer("d_kernel", conv.kernel.shape, slot)
        d_bias = conv._buffer("d_bias", conv.bias.shape, slot) if conv.use_bias else None
        covered = g._replace(n=blocks * g.n, oh=tiles[0], ow=tiles[1])
        conv._conv_backward(covered, col, dz, kernel, d_kernel, None, False, slot,
                            d_bias)
        grads = [d_kernel]
        if conv.use_bias:
            if not bias_folded(g, col):
                conv._bias_grad(dz, slot)  # into the same "d_bias" buffer
            grads.append(d_bias)
        if not need_input_grad:
            return None, grads
        # The blocks back in image order (zeros where no window reads).
        (ki, kj), (ph, pw) = pool.pool_size, tiles
        image = conv._buffer("dz_image", (g.n, g.oh, g.ow, dz.shape[1]), slot)
        image[:, ki * ph:] = 0
        image[:, :ki * ph, kj * pw:] = 0
        for a in range(ki):
            for b in range(kj):
                np.copyto(image[:, a:ki * ph:ki, b:kj * pw:kj], zb[a * kj + b])
        dx = conv._input_grad(g, full, image.reshape(g.rows, -1), kernel, input_shape,
                              True, slot)
        return dx, grads


def plan(layers):
    """The steps of a plain Sequential stack: each a layer, or a `ConvPool`
    for a `fusable` pair."""
    steps, i = [], 0
    while i < len(layers):
        if i + 1 < len(layers) and fusable(layers[i], layers[i + 1]):
            steps.append(ConvPool(layers[i], layers[i + 1]))
            i += 2
        else:
            steps.append(layers[i])
            i += 1
    return steps


class GraphStep(collections.namedtuple("GraphStep", "conv_pool source target")):
    """A `ConvPool` in a functional graph: it reads the tensor `source` and
    gives the value of `target`, the pooling's output."""

    def run(self, values):
        """Puts the value of `target` in `values` (keyed by tensor id) and
        returns True; False, with nothing done, when the input is not one
        the pair takes as is (another dtype, a structure): the layers then
        run one by one, which convert or reject it."""
        x = values[id(self.source)]
        conv = self.conv_pool.conv
        value = autodiff.value_of(x)
        if not isinstance(value, np.ndarray) or value.dtype != conv.dtype or \
                value.ndim != 4:
            return False
        conv._check_input_shape(value.shape)
        values[id(self.target)] = self.conv_pool.call(x)
        return True


def _plain_call(node):
    """Whether a graph node calls its layer on one tensor, with no other
    argument than `training` or an empty `mask`."""
    return (len(node.input_tensors) == 1 and node.arguments is node.input_tensors[0]
            and len(node.output_tensors) == 1
            and all(key in ("training", "mask") and (value is None or isinstance(value, bool))
                    for key, value in node.kwargs.items()))


def plan_graph(nodes, outputs):
    """{id(conv node): `GraphStep`} for a functional graph's nodes (in run
    order) and outputs: each node of a `fusable` convolution whose output is
    read by exactly one node, a pooling's, and is not a model output."""
    readers = collections.defaultdict(list)
    for node in nodes:
        for tensor in node.input_tensors:
            readers[id(tensor)].append(node)
    model_outputs = {id(t) for t in outputs}
    steps = {}
    for node in nodes:
        if node.is_input or not _plain_call(node):
            continue
        (out,) = node.output_tensors
        reading = readers[id(out)]
        if len(reading) != 1 or id(out) in model_outputs:
            continue
        pool_node = reading[0]
        if _plain_call(pool_node) and node.layer.built and pool_node.layer.built and \
                fusable(node.layer, pool_node.layer):
            steps[id(node)] = GraphStep(ConvPool(node.layer, pool_node.layer),
                                        node.input_tensors[0], pool_node.output_tensors[0])
    return steps
