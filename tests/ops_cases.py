"""The table of `keraslite.ops` cases shared by tests/ and compat_tests/.

Each case is `(name, fn, shapes, kind)`: `fn(ops, *arrays)` is written once
and run with `keraslite.ops` or `keras.ops`; `shapes` are the inputs'
shapes; `kind` picks their values ("normal", "positive", or "distinct" to
keep max/min/abs/relu/clip away from ties and kinks).
"""
import numpy as np

CASES = [
    ("add", lambda o, a, b: o.add(a, b), [(3, 4), (4,)], "normal"),
    ("subtract", lambda o, a, b: o.subtract(a, b), [(3, 4), (3, 1)], "normal"),
    ("multiply", lambda o, a, b: o.multiply(a, b), [(2, 3, 4), (3, 4)], "normal"),
    ("divide", lambda o, a, b: o.divide(a, b), [(3, 4), (3, 4)], "positive"),
    ("operators", lambda o, a, b: (a + b) * a - b / (a * a + 1) + (-a) ** 2
     + abs(b) @ o.transpose(a), [(3, 3), (3, 3)], "distinct"),
    ("power", lambda o, a, b: o.power(a, b), [(3, 4), (3, 4)], "positive"),
    ("matmul", lambda o, a, b: o.matmul(a, b), [(2, 3, 4), (4, 5)], "normal"),
    ("matmul[1-D]", lambda o, a, b: o.matmul(a, b), [(4,), (4, 3)], "normal"),
    ("dot", lambda o, a, b: o.dot(a, b), [(3, 4), (4, 2)], "normal"),
    ("dot[N-D]", lambda o, a, b: o.dot(a, b), [(2, 3, 4), (5, 4, 2)], "normal"),
    ("exp", lambda o, a: o.exp(a), [(3, 4)], "normal"),
    ("log", lambda o, a: o.log(a), [(3, 4)], "positive"),
    ("sqrt", lambda o, a: o.sqrt(a), [(3, 4)], "positive"),
    ("square", lambda o, a: o.square(a), [(3, 4)], "normal"),
    ("abs", lambda o, a: o.abs(a), [(3, 4)], "distinct"),
    ("negative", lambda o, a: o.negative(a), [(3, 4)], "normal"),
    ("tanh", lambda o, a: o.tanh(a), [(3, 4)], "normal"),
    ("sigmoid", lambda o, a: o.sigmoid(a), [(3, 4)], "normal"),
    ("relu", lambda o, a: o.relu(a), [(3, 4)], "distinct"),
    ("softmax", lambda o, a: o.softmax(a), [(3, 4)], "normal"),
    ("softmax[axis=0]", lambda o, a: o.softmax(a, axis=0), [(3, 4)], "normal"),
    ("log_softmax", lambda o, a: o.log_softmax(a), [(3, 4)], "normal"),
    ("mean", lambda o, a: o.mean(a, axis=1), [(3, 4)], "normal"),
    ("mean[all, keepdims]", lambda o, a: o.mean(a, keepdims=True), [(3, 4)], "normal"),
    ("sum", lambda o, a: o.sum(a, axis=(0, 2)), [(2, 3, 4)], "normal"),
    ("max", lambda o, a: o.max(a, axis=-1), [(3, 4)], "distinct"),
    ("min", lambda o, a: o.min(a, axis=0, keepdims=True), [(3, 4)], "distinct"),
    ("maximum", lambda o, a, b: o.maximum(a, b), [(3, 4), (4,)], "distinct"),
    ("minimum", lambda o, a, b: o.minimum(a, b), [(3, 4), (3, 4)], "distinct"),
    ("clip", lambda o, a: o.clip(a, -0.5, 0.5), [(3, 4)], "distinct"),
    ("where", lambda o, a, b: o.where(a > 0, a, b), [(3, 4), (3, 4)], "distinct"),
    ("reshape", lambda o, a: o.reshape(a, (4, -1)), [(2, 3, 2)], "normal"),
    ("transpose", lambda o, a: o.transpose(a, (2, 0, 1)), [(2, 3, 4)], "normal"),
    ("expand_dims", lambda o, a: o.expand_dims(a, 1), [(3, 4)], "normal"),
    ("squeeze", lambda o, a: o.squeeze(a, axis=1), [(3, 1, 4)], "normal"),
    ("concatenate", lambda o, a, b: o.concatenate([a, b], axis=1),
     [(3, 2), (3, 4)], "normal"),
    ("stack", lambda o, a, b: o.stack([a, b], axis=1), [(3, 4), (3, 4)], "normal"),
    ("split", lambda o, a: o.split(a, 2, axis=1)[1] * 2 + o.split(a, 2, axis=1)[0],
     [(3, 4)], "normal"),
    ("get_item", lambda o, a: a[1:, ::2] * 3, [(3, 4)], "normal"),
    ("get_item[index]", lambda o, a: a[:, 1], [(3, 4)], "normal"),
    ("cast", lambda o, a: o.cast(a, "float64") * 2, [(3, 4)], "normal"),
    ("convert_to_tensor", lambda o, a: o.convert_to_tensor(a) * 2, [(3, 4)], "normal"),
]

# Ops without a gradient: values only.
VALUE_CASES = [
    ("argmax", lambda o, a: o.argmax(a, axis=1), [(3, 4)], "distinct"),
    ("less", lambda o, a, b: o.less(a, b), [(3, 4), (3, 4)], "normal"),
    ("less_equal", lambda o, a, b: o.less_equal(a, b), [(3, 4), (3, 4)], "normal"),
    ("greater", lambda o, a, b: o.greater(a, b), [(3, 4), (3, 4)], "normal"),
    ("greater_equal", lambda o, a, b: o.greater_equal(a, b), [(3, 4), (3, 4)], "normal"),
    ("equal", lambda o, a: o.equal(a, o.max(a)), [(3, 4)], "distinct"),
    ("not_equal", lambda o, a: o.not_equal(a, o.max(a)), [(3, 4)], "distinct"),
    ("ones_like", lambda o, a: o.ones_like(a), [(3, 4)], "normal"),
    ("zeros_like", lambda o, a: o.zeros_like(a), [(3, 4)], "normal"),
    ("shape", lambda o, a: o.shape(a), [(3, 4)], "normal"),
]


def inputs(shapes, kind, seed=0, dtype="float32"):
    """The arrays of one case."""
    rng = np.random.default_rng(seed)
    out = []
    for shape in shapes:
        if kind == "positive":
            a = rng.uniform(0.5, 2.0, size=shape)
        elif kind == "distinct":
            size = int(np.prod(shape)) if shape else 1
            a = rng.permutation(size).reshape(shape) / size * 4 - 2 + 0.05
            a = a + rng.uniform(-0.01, 0.01, size=shape)
        else:
            a = rng.normal(size=shape)
        out.append(np.asarray(a, dtype=dtype))
    return out
