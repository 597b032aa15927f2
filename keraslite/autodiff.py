"""The tape: records the layer calls and ops of one forward pass and runs
their backward in reverse.

While a `Tape` is active (`with Tape(watch=variables) as tape:`), every
built-in layer call and every `keraslite.ops` function whose inputs need a
gradient appends one `Record`: the input `Tensor`s, the output `Tensor`s and
a `backward(output_grads) -> input_grads` function. `tape.gradient(seeds)`
walks the records in reverse, summing gradients where a tensor is used more
than once, and returns the gradient of every watched variable. Nothing is
recorded without a tape (inference).

A layer called twice in one pass gets two records; tensors are identified
by the records that produced them, never by `id()` of their arrays.
"""
import numpy as np

_STATE = {"tape": None, "pass": 0, "depth": 0, "training": False}


class TensorOps:
    """NumPy's operators, each the `keraslite.ops` function of the same meaning.

    Shared by `Tensor` and `Variable`, so `x @ self.kernel + 1` in a user's
    `call()` is recorded on the tape in training.
    """

    __slots__ = ()
    __array_priority__ = 1000

    def __add__(self, other): return _ops().add(self, other)
    def __radd__(self, other): return _ops().add(other, self)
    def __sub__(self, other): return _ops().subtract(self, other)
    def __rsub__(self, other): return _ops().subtract(other, self)
    def __mul__(self, other): return _ops().multiply(self, other)
    def __rmul__(self, other): return _ops().multiply(other, self)
    def __truediv__(self, other): return _ops().divide(self, other)
    def __rtruediv__(self, other): return _ops().divide(other, self)
    def __pow__(self, other): return _ops().power(self, other)
    def __rpow__(self, other): return _ops().power(other, self)
    def __matmul__(self, other): return _ops().matmul(self, other)
    def __rmatmul__(self, other): return _ops().matmul(other, self)
    def __neg__(self): return _ops().negative(self)
    def __pos__(self): return self
    def __abs__(self): return _ops().abs(self)
    def __getitem__(self, key): return _ops().get_item(self, key)
    def __lt__(self, other): return _ops().less(self, other)
    def __le__(self, other): return _ops().less_equal(self, other)
    def __gt__(self, other): return _ops().greater(self, other)
    def __ge__(self, other): return _ops().greater_equal(self, other)
    def __eq__(self, other): return _ops().equal(self, other)
    def __ne__(self, other): return _ops().not_equal(self, other)
    __hash__ = object.__hash__

    @property
    def T(self):
        return _ops().transpose(self)


class Tensor(TensorOps):
    """A value of a recorded forward pass: an array, and its gradient.

    User code in `call()` sees Tensors in training; they support NumPy's
    operators (`+ - * / ** @`, comparisons, indexing) and every
    `keraslite.ops` function, each recorded with its gradient.
    """

    __slots__ = ("value", "requires_grad", "grad", "logits_record", "relu_record",
                 "_keras_mask")

    def __init__(self, value, requires_grad=False):
        self.value = value
        self.requires_grad = requires_grad
        self.grad = None
        # The mask of a layer's output inside a user's call() (as Keras's).
        self._keras_mask = None
        # The record of a softmax/sigmoid layer whose logits a loss may use.
        self.logits_record = None
        # The record of a convolution whose activation is relu: a max
        # pooling that alone reads its output applies relu's mask on its
        # (smaller) output gradient instead (see BasePooling).
        self.relu_record = None

    shape = property(lambda self: self.value.shape)
    dtype = property(lambda self: self.value.dtype)
    ndim = property(lambda self: self.value.ndim)
    size = property(lambda self: self.value.size)

    def __len__(self):
        return len(self.value)

    def numpy(self):
        return np.array(self.value)

    def __array__(self, dtype=None, copy=None):
        return self.value if dtype is None else self.value.astype(dtype)

    def __repr__(self):
        return f"<Tensor shape={self.shape}, dtype={self.dtype}>"


def _ops():
    from keraslite import ops

    return ops


class Record:
    """One recorded call: `backward(output_grads)` returns the input grads."""

    __slots__ = ("backward", "inputs", "outputs", "from_logits")

    def __init__(self, backward, inputs, outputs):
        self.backward = backward
        self.inputs = inputs
        self.outputs = outputs
        self.from_logits = False


class Tape:
    """Records one forward pass; `gradient` runs it backward.

    Args:
        watch: The variables whose gradients `gradient` returns.
    """

    def __init__(self, watch=()):
        self.records = []
        self.watched = {id(v): v for v in watch}
        self._leaves = {}  # id(variable) -> its leaf Tensor on this tape
        self.losses = []  # Tensors added with `layer.add_loss` in this pass
        # Activity penalties: (output, value, regularizer, batch size).
        self.penalties = []
        self._previous = None

    def __enter__(self):
        self._previous = _STATE["tape"]
        _STATE["tape"] = self
        return self

    def __exit__(self, *exc):
        _STATE["tape"] = self._previous

    def record(self, backward, inputs, outputs):
        """Appends a record; `outputs` are the Tensors it produced."""
        rec = Record(backward, inputs, outputs)
        self.records.append(rec)
        return rec

    def leaf(self, variable):
        """The Tensor standing for `variable` in this pass (one per variable)."""
        key = id(variable)
        leaf = self._leaves.get(key)
        if leaf is None:
            leaf = Tensor(variable.value, requires_grad=key in self.watched)
            self._leaves[key] = leaf
        return leaf

    def watches(self, variable):
        return id(variable) in self.watched

    def readers(self, tensor):
        """How many recorded inputs are `tensor` (a record reading it twice
        counts twice)."""
        return sum(x is tensor for rec in self.records for x in rec.inputs)

    def add_weight_grad(self, variable, grad):
        """Adds a gradient computed by a built-in layer's backward."""
        leaf = self.leaf(variable)
        if leaf.grad is None:
            leaf.grad = grad
        else:
            leaf.grad = leaf.grad + grad

    def gradient(self, seeds):
        """Backpropagates `seeds` (pairs of Tensor and output gradient).

        Returns:
            A dict from `id(variable)` to the gradient array of each watched
            variable that received one.
        """
        for tensor, grad in seeds:
            accumulate(tensor, grad)
        for rec in reversed(self.records):
            grads = [o.grad for o in rec.outputs]
            if all(g is None for g in grads):
                continue
            in_grads = rec.backward(grads)
            for tensor, grad in zip(rec.inputs, in_grads):
                if grad is not None and isinstance(tensor, Tensor) \
                        and tensor.requires_grad:
                    accumulate(tensor, grad)
        return {key: leaf.grad for key, leaf in self._leaves.items()
                if leaf.grad is not None and key in self.watched}


class IndexedSlices:
    """The sparse gradient of a weight whose rows were gathered (Embedding),
    as TensorFlow's `tf.IndexedSlices`: the dense gradient is zeros with
    `values[i]` added into row `indices[i]`, in the order of `indices`.

    `a + b` of two (a weight gathered twice in one pass) keeps both parts;
    `rows()` and `to_dense()` give the bits of summing the parts' dense
    matrices in that order, as the dense path does. `a + array` (a dense
    gradient) is a dense array. `np.asarray(slices)` is `to_dense()`.
    """

    __slots__ = ("parts", "dense_shape")
    __array_ufunc__ = None  # `array + slices` calls `__radd__`

    def __init__(self, values, indices, dense_shape):
        self.parts = [(indices, values)]
        self.dense_shape = tuple(dense_shape)

    dtype = property(lambda self: self.parts[0][1].dtype)

    def __add__(self, other):
        if isinstance(other, IndexedSlices):
            out = IndexedSlices.__new__(IndexedSlices)
            out.parts = self.parts + other.parts
            out.dense_shape = self.dense_shape
            return out
        return self.to_dense() + other

    def __radd__(self, other):
        return other + self.to_dense()

    def __array__(self, dtype=None, copy=None):
        dense = self.to_dense()
        return dense if dtype is None else dense.astype(dtype)

    def indices(self):
        """The rows of every part, repeats included (a new array)."""
        return np.concatenate([ids for ids, _ in self.parts])

    def rows(self):
        """`(rows, values)`: the distinct rows, sorted, and their gradient
        (a new array), each part summed from zeros and the parts added in
        order, as their dense matrices would be."""
        ids = self.parts[0][0] if len(self.parts) == 1 else \
            np.concatenate([ids for ids, _ in self.parts])
        rows, position = np.unique(ids, return_inverse=True)
        total, start = None, 0
        for ids, values in self.parts:
            part = np.zeros((rows.size,) + values.shape[1:], values.dtype)
            scatter_add(part, position[start:start + ids.size], values)
            start += ids.size
            if total is None:
                total = part
            else:
                total += part
        return rows, total

    def to_dense(self, out=None):
        """The dense gradient, written into `out` (which must hold zeros)."""
        if out is None:
            out = np.zeros(self.dense_shape, self.dtype)
        if len(self.parts) == 1:
            ids, values = self.parts[0]
            scatter_add(out, ids, values)
        else:
            rows, values = self.rows()
            out[rows] = values
        return out

    def __repr__(self):
        return (f"<IndexedSlices dense_shape={self.dense_shape}, "
                f"indices={sum(ids.size for ids, _ in self.parts)}>")


def scatter_add(out, indices, values):
    """`out[indices[i]] += values[i]` for each i in order (`np.add.at`).

    NOTE: done on the flattened arrays: NumPy's 1-D `np.add.at` adds in the
    same order and is ~3x faster than on rows (16,000 rows of 128 floats:
    4.3 ms against 13.7 ms, NumPy 2.4). `out` must be C-contiguous. The
    flat indices (8 bytes per value) are built in a reused work array: new
    at every training step they were page faults (the IMDB LSTM's 64,000
    rows of 32: ~20 ms a step against ~7).
    """
    from keraslite.utils import workspace  # (keraslite.utils imports this module)

    width = values[0].size if len(values) else 1
    flat = workspace.take((indices.size, width), np.intp)
    rows = np.multiply(indices.reshape(-1), width, dtype=np.intp)  # no overflow
    np.add(rows[:, None], np.arange(width, dtype=np.intp), out=flat)
    np.add.at(out.reshape(-1), flat.reshape(-1), values.reshape(-1))
    workspace.give(flat)


def dense(grad):
    """`grad` as an array (an IndexedSlices densified)."""
    return grad.to_dense() if isinstance(grad, IndexedSlices) else grad


def accumulate(tensor, grad):
    """Adds `grad` to `tensor.grad` (a new array: buffers are never summed into)."""
    if tensor.grad is None:
        tensor.grad = grad
    else:
        tensor.grad = tensor.grad + grad


def current_tape():
    """The active Tape, or None (inference)."""
    return _STATE["tape"]


def enter_call():
    """Marks the start of a layer or model call; True for the outermost one.

    The outermost call starts a new pass: layers number their calls in it
    (`Layer._slot`) so that a layer called twice keeps two sets of buffers.
    """
    top = _STATE["depth"] == 0
    if top:
        _STATE["pass"] += 1
    _STATE["depth"] += 1
    return top


def current_depth():
    """How many layer or model calls enclose this point (0 at the top)."""
    return _STATE["depth"]


def exit_call():
    _STATE["depth"] -= 1


def value_of(x):
    """The array of a Tensor, or `x` itself."""
    return x.value if isinstance(x, Tensor) else x


def needs_grad(x):
    return isinstance(x, Tensor) and x.requires_grad
