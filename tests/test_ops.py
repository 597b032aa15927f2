"""keraslite.ops: float64 central-difference checks of every op's gradient,
recording only under a tape, and Keras's signatures."""
import numpy as np
import pytest

from keraslite import autodiff, ops
from tests.ops_cases import CASES, VALUE_CASES, inputs


def tape_gradients(fn, arrays, dy):
    """Value of `fn(ops, *arrays)` and the gradient of `sum(out * dy)`."""
    tensors = [autodiff.Tensor(a, requires_grad=True) for a in arrays]
    with autodiff.Tape() as tape:
        out = fn(ops, *tensors)
    tape.gradient([(out, dy)])
    return autodiff.value_of(out), [
        np.zeros_like(a) if t.grad is None else t.grad
        for a, t in zip(arrays, tensors)]


@pytest.mark.parametrize("name,fn,shapes,kind", CASES, ids=[c[0] for c in CASES])
def test_op_gradient_matches_central_differences(name, fn, shapes, kind):
    arrays = inputs(shapes, kind, dtype="float64")
    out = np.asarray(fn(ops, *arrays))
    dy = np.random.default_rng(1).normal(size=out.shape)
    value, grads = tape_gradients(fn, [a.copy() for a in arrays], dy)
    np.testing.assert_allclose(value, out, rtol=1e-12)
    eps = 1e-6
    for i, a in enumerate(arrays):
        numeric = np.zeros_like(a)
        flat = a.reshape(-1)
        for j in range(flat.size):
            old = flat[j]
            flat[j] = old + eps
            up = np.sum(np.asarray(fn(ops, *arrays)) * dy)
            flat[j] = old - eps
            down = np.sum(np.asarray(fn(ops, *arrays)) * dy)
            flat[j] = old
            numeric.reshape(-1)[j] = (up - down) / (2 * eps)
        assert grads[i].shape == a.shape
        np.testing.assert_allclose(grads[i], numeric, rtol=1e-6, atol=1e-8,
                                   err_msg=f"{name}: input {i}")


@pytest.mark.parametrize("name,fn,shapes,kind", CASES + VALUE_CASES,
                         ids=[c[0] for c in CASES + VALUE_CASES])
def test_ops_record_nothing_without_a_tape(name, fn, shapes, kind):
    out = fn(ops, *inputs(shapes, kind))
    assert not isinstance(out, autodiff.Tensor)
    if isinstance(out, np.ndarray) and out.dtype.kind == "f" and name != "cast":
        assert out.dtype == np.float32  # float32 in, float32 out


def test_shared_tensor_gradients_add_up():
    x = autodiff.Tensor(np.array([1.0, 2.0], "float32"), requires_grad=True)
    with autodiff.Tape() as tape:
        y = ops.sum(x * x + ops.exp(x) + x)
    tape.gradient([(y, np.float32(1))])
    np.testing.assert_allclose(x.grad, 2 * x.value + np.exp(x.value) + 1, rtol=1e-6)


def test_variables_get_gradients_on_the_tape():
    from keraslite.layers.layer import Variable

    v = Variable(np.array([[1.0, 2.0]], "float32"), "w")
    with autodiff.Tape(watch=[v]) as tape:
        y = ops.sum(ops.matmul(np.ones((3, 1), "float32"), v) * 2)
    grads = tape.gradient([(y, np.float32(1))])
    np.testing.assert_allclose(grads[id(v)], [[6.0, 6.0]])


def test_python_numbers_keep_float32():
    x = np.ones(3, "float32")
    assert ops.add(x, 1).dtype == np.float32
    assert ops.multiply(2.5, x).dtype == np.float32
    assert ops.convert_to_tensor(1.5).dtype == np.float32
    assert ops.convert_to_tensor([1, 2]).dtype.kind == "i"


def test_where_needs_both_branches_or_none():
    with pytest.raises(ValueError, match="both"):
        ops.where(np.ones(2) > 0, np.ones(2))
    np.testing.assert_array_equal(ops.where(np.array([0, 1, 1]))[0], [1, 2])
