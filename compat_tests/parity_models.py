"""Parity rows of the model core: `keraslite.ops`, the layers that functional
models need (merging, reshaping, activation layers, Lambda, Identity), and
functional / subclassed models. Values and gradients are compared with
Keras's under `tf.GradientTape`.

Builders here return `Row`s that `parity.all_rows()` adds to the table.
"""
import numpy as np

import keraslite
from keraslite import autodiff
from tests.ops_cases import CASES, VALUE_CASES, inputs


def _lib():
    from compat_tests.parity import _keras

    return _keras()


def _ours_grads(fn, arrays, dy):
    """keraslite's value of `fn(*tensors)` and the gradients of sum(out * dy)."""
    tensors = [autodiff.Tensor(a.copy(), requires_grad=True) for a in arrays]
    with autodiff.Tape() as tape:
        out = fn(*tensors)
    tape.gradient([(out, dy)])
    return np.asarray(autodiff.value_of(out)), [
        np.zeros_like(a) if t.grad is None else t.grad
        for a, t in zip(arrays, tensors)]


# === keraslite.ops ===============================================================
def _op_row(name, fn, shapes, kind):
    from compat_tests.parity import Pair, Row, _tape

    def compute():
        _, keras = _lib()
        arrays = inputs(shapes, kind)
        theirs_value = np.asarray(fn(keras.ops, *arrays))
        dy = np.random.default_rng(1).normal(size=theirs_value.shape).astype(
            theirs_value.dtype)
        value, grads = _ours_grads(lambda *t: fn(keraslite.ops, *t), arrays, dy)
        _, their_grads = _tape(lambda *v: fn(keras.ops, *v), *arrays,
                               output_gradients=dy)
        pairs = [Pair("value", value, theirs_value),
                 Pair("dtype", str(value.dtype), str(theirs_value.dtype), exact=True)]
        pairs += [Pair(f"gradient {i} vs GradientTape", g, t)
                  for i, (g, t) in enumerate(zip(grads, their_grads))]
        return pairs

    op = name.split("[")[0]
    covers = ("ops.abs", "ops.add", "ops.subtract", "ops.multiply", "ops.divide",
              "ops.power", "ops.matmul", "ops.negative", "ops.transpose") \
        if op == "operators" else (f"ops.{op}",)
    return Row(f"ops.{name}[value and gradient]", compute, rtol=1e-5, atol=1e-6,
               covers=covers)


def _op_value_row(name, fn, shapes, kind):
    from compat_tests.parity import Pair, Row

    def compute():
        _, keras = _lib()
        arrays = inputs(shapes, kind)
        ours = fn(keraslite.ops, *arrays)
        theirs = fn(keras.ops, *arrays)
        if name == "shape":
            return [Pair("shape", tuple(ours), tuple(theirs), exact=True)]
        theirs = np.asarray(theirs)
        return [Pair("value", np.asarray(ours).astype(theirs.dtype), theirs),
                Pair("dtype", str(np.asarray(ours).dtype), str(theirs.dtype),
                     exact=True)]

    return Row(f"ops.{name}[value]", compute, covers=(f"ops.{name}",))


def _op_extra_row():
    """Ops Keras has under the same names that the tables above do not use."""
    from compat_tests.parity import Pair, Row

    def compute():
        _, keras = _lib()
        x = inputs([(3, 4)], "distinct")[0]
        pairs = []
        for name in ("absolute", "argmin", "convert_to_numpy", "ones", "zeros",
                     "stop_gradient"):
            arg = (3, 2) if name in ("ones", "zeros") else x
            pairs.append(Pair(name, np.asarray(getattr(keraslite.ops, name)(arg)),
                              np.asarray(getattr(keras.ops, name)(arg))))
        # stop_gradient: no gradient flows back.
        t = autodiff.Tensor(x, requires_grad=True)
        with autodiff.Tape() as tape:
            y = keraslite.ops.sum(keraslite.ops.stop_gradient(t) * t)
        tape.gradient([(y, np.float32(1))])
        pairs.append(Pair("stop_gradient blocks its path", t.grad, x))
        return pairs

    return Row("ops[other names]", compute,
               covers=tuple(f"ops.{n}" for n in (
                   "absolute", "argmin", "convert_to_numpy", "ones", "zeros",
                   "stop_gradient")))


def ops_rows():
    return ([_op_row(*case) for case in CASES]
            + [_op_value_row(*case) for case in VALUE_CASES] + [_op_extra_row()])


# === layers for graphs ===========================================================
# (name, constructor(layers module), input shapes, kind)
LAYER_CASES = [
    ("Add", lambda L: L.Add(), [(4, 3), (4, 3), (4, 3)], "normal"),
    ("Subtract", lambda L: L.Subtract(), [(4, 3), (4, 3)], "normal"),
    ("Multiply", lambda L: L.Multiply(), [(4, 3), (4, 3), (4, 3)], "normal"),
    ("Average", lambda L: L.Average(), [(4, 3), (4, 3)], "normal"),
    ("Maximum", lambda L: L.Maximum(), [(4, 3), (4, 3), (4, 3)], "distinct"),
    ("Minimum", lambda L: L.Minimum(), [(4, 3), (4, 3)], "distinct"),
    ("Concatenate", lambda L: L.Concatenate(axis=1), [(4, 2, 3), (4, 5, 3)], "normal"),
    ("Dot", lambda L: L.Dot(axes=1), [(4, 3), (4, 3)], "normal"),
    ("Dot[3-D, normalize]", lambda L: L.Dot(axes=(2, 2), normalize=True),
     [(4, 2, 3), (4, 5, 3)], "normal"),
    ("Dot[axes=1, 3-D]", lambda L: L.Dot(axes=1), [(4, 3, 2), (4, 3, 5)], "normal"),
    ("Reshape", lambda L: L.Reshape((3, -1)), [(4, 2, 6)], "normal"),
    ("Permute", lambda L: L.Permute((2, 1)), [(4, 2, 3)], "normal"),
    ("RepeatVector", lambda L: L.RepeatVector(3), [(4, 5)], "normal"),
    ("Flatten[3-D]", lambda L: L.Flatten(), [(4, 2, 3, 2)], "normal"),
    ("ReLU", lambda L: L.ReLU(max_value=1.0, negative_slope=0.1, threshold=0.2),
     [(4, 5)], "distinct"),
    ("LeakyReLU", lambda L: L.LeakyReLU(negative_slope=0.2), [(4, 5)], "distinct"),
    ("PReLU", lambda L: L.PReLU(alpha_initializer="ones", shared_axes=[1]),
     [(4, 2, 3)], "distinct"),
    ("ELU", lambda L: L.ELU(alpha=0.7), [(4, 5)], "distinct"),
    ("Softmax", lambda L: L.Softmax(), [(4, 5)], "normal"),
    ("Softmax[axis=1]", lambda L: L.Softmax(axis=1), [(4, 3, 5)], "normal"),
    ("Identity", lambda L: L.Identity(), [(4, 5)], "normal"),
    ("Lambda", lambda L: L.Lambda(lambda x: x * 2.0 + 1.0), [(4, 5)], "normal"),
]


def _layer_row(name, make, shapes, kind, training=None):
    """`training`: passed to both calls when not None (BatchNormalization)."""
    from compat_tests.parity import Pair, Row

    call = {} if training is None else {"training": training}

    def compute():
        tf, keras = _lib()
        arrays = inputs(shapes, kind, seed=3)
        one = len(arrays) == 1
        ours, theirs = make(keraslite.layers), make(keras.layers)
        ours(arrays[0] if one else list(arrays))
        theirs(arrays[0] if one else list(arrays))
        if ours.get_weights():
            rng = np.random.default_rng(4)
            weights = [rng.normal(0.5, 0.2, w.shape).astype("float32")
                       for w in ours.get_weights()]
            ours.set_weights(weights)
            theirs.set_weights(weights)
        tensors = [autodiff.Tensor(a.copy(), requires_grad=True) for a in arrays]
        with autodiff.Tape(watch=ours.trainable_weights) as tape:
            out = ours._eager_call(tensors[0] if one else tensors, **call)
        value = np.array(autodiff.value_of(out))
        dy = np.random.default_rng(5).normal(size=value.shape).astype("float32")
        weight_grads = tape.gradient([(out, dy.copy())])  # backward may overwrite it
        variables = [tf.Variable(a) for a in arrays]
        with tf.GradientTape() as gt:
            theirs_out = theirs(variables[0] if one else variables, **call)
        their = gt.gradient(theirs_out, variables + list(theirs.trainable_weights),
                            output_gradients=dy)
        batch_shapes = [(None,) + a.shape[1:] for a in arrays]
        batch_shapes = batch_shapes[0] if one else batch_shapes
        pairs = [Pair("forward", value, theirs_out.numpy()),
                 Pair("output shape", tuple(ours.compute_output_shape(batch_shapes)),
                      tuple(theirs.compute_output_shape(batch_shapes)), exact=True)]
        for i, t in enumerate(tensors):
            pairs.append(Pair(f"input gradient {i}", t.grad, their[i].numpy()))
        for j, var in enumerate(ours.trainable_weights):
            pairs.append(Pair(f"{var.name} gradient", weight_grads[id(var)],
                              their[len(arrays) + j].numpy()))
        for var, mine, keras_value in zip(ours.weights, ours.get_weights(),
                                          theirs.get_weights()):
            pairs.append(Pair(f"{var.name} after the call", mine, keras_value))
        config = {k: v for k, v in ours.get_config().items() if k != "function"}
        theirs_config = {k: v for k, v in theirs.get_config().items()
                         if k in config and k != "function"}
        config.pop("name"), theirs_config.pop("name")
        pairs.append(Pair("config", _plain(config), _plain(theirs_config), exact=True))
        return pairs

    base = name.split("[")[0]
    return Row(f"layers.{name}[forward, gradients vs GradientTape, config]",
               compute, rtol=1e-5, atol=1e-6, covers=(f"layers.{base}",))


def _plain(config):
    """Configs with lists and tuples alike (JSON has only lists)."""
    import json

    return json.loads(json.dumps(config, default=str))


def layer_rows():
    return [_layer_row(*case) for case in LAYER_CASES]


# === models ===================================================================
def _functional_row():
    from compat_tests.parity import Pair, Row

    def compute():
        _, keras = _lib()
        from compat_tests.test_models_compat import copy_weights, random_graph

        pairs = []
        for seed in (1, 6):
            ours = random_graph(keraslite, seed)
            theirs = random_graph(keras, seed)
            copy_weights(ours, theirs, seed)
            xs = [np.random.default_rng(seed).normal(size=(8, 4)).astype("float32")
                  for _ in ours.inputs]
            a = ours.predict(xs, verbose=0)
            b = theirs.predict(xs, verbose=0)
            pairs += [Pair(f"graph {seed} layers", [la.name for la in ours.layers],
                           [la.name for la in theirs.layers], exact=True),
                      Pair(f"graph {seed} output names", ours.output_names,
                           list(theirs.output_names), exact=True)]
            for i, (p, q) in enumerate(zip(a if isinstance(a, list) else [a],
                                           b if isinstance(b, list) else [b])):
                pairs.append(Pair(f"graph {seed} output {i}", p, q))
            pairs.append(Pair(f"graph {seed} count_params", ours.count_params(),
                              theirs.count_params(), exact=True))
            pairs.append(Pair(f"graph {seed} get_layer", ours.get_layer(index=1).name,
                              theirs.get_layer(index=1).name, exact=True))
        return pairs

    return Row("models.Model[functional graphs: layers, outputs, predict]", compute,
               covers=("Model", "models.Model", "models.Functional", "Variable"))


def _registration_row():
    from compat_tests.parity import Pair, Row

    def compute():
        _, keras = _lib()
        pairs = []
        for lib_name, lib in (("keraslite", keraslite), ("keras", keras)):
            @lib.saving.register_keras_serializable(package="parity")
            class Scaled(lib.layers.Layer):
                pass

            @lib.saving.register_keras_serializable(package="parity", name="Renamed")
            class Other(lib.layers.Layer):
                pass

            pairs.append((lib.saving.get_registered_name(Scaled),
                          lib.saving.get_registered_name(Other),
                          lib.saving.get_registered_object("parity>Renamed") is Other,
                          lib.saving.get_registered_object("parity>Missing")))
        (ours, theirs) = pairs
        return [Pair("registered names and lookups", ours, theirs, exact=True)]

    return Row("saving.register_keras_serializable[names, lookups]", compute,
               covers=("saving.register_keras_serializable",
                       "saving.get_registered_name", "saving.get_registered_object"))


def _config_row():
    from compat_tests.parity import Pair, Row, _error_name

    def compute():
        _, keras = _lib()
        ours, theirs = keraslite.config, keras.config
        pairs = [Pair("image_data_format()", ours.image_data_format(),
                      theirs.image_data_format(), exact=True),
                 Pair("backend.image_data_format()",
                      keraslite.backend.image_data_format(),
                      keras.backend.image_data_format(), exact=True)]
        for value in ("channels_first", "channels_last"):
            ours.set_image_data_format(value)
            theirs.set_image_data_format(value)
            pairs.append(Pair(f"set_image_data_format({value!r})",
                              ours.image_data_format(), theirs.image_data_format(),
                              exact=True))
        pairs.append(Pair("set_image_data_format('bogus') raises",
                          _error_name(lambda: ours.set_image_data_format("bogus")),
                          _error_name(lambda: theirs.set_image_data_format("bogus")),
                          exact=True))
        for name in ("floatx", "epsilon"):
            pairs.append(Pair(f"config.{name}()", getattr(ours, name)(),
                              getattr(theirs, name)(), exact=True))
        ours.disable_traceback_filtering()
        theirs.disable_traceback_filtering()
        pairs.append(Pair("disable_traceback_filtering", ours.is_traceback_filtering_enabled(),
                          theirs.is_traceback_filtering_enabled(), exact=True))
        ours.enable_traceback_filtering()
        theirs.enable_traceback_filtering()
        pairs.append(Pair("enable_traceback_filtering", ours.is_traceback_filtering_enabled(),
                          theirs.is_traceback_filtering_enabled(), exact=True))
        pairs.append(Pair("backend()", ours.backend(), "numpy", exact=True))
        return pairs

    return Row("config[image_data_format, floatx, epsilon, traceback filtering]",
               compute, covers=tuple(f"config.{n}" for n in keraslite.config.__all__)
               + ("backend.image_data_format", "backend.set_image_data_format",
                  "backend.backend"))


def _plot_model_row():
    """model_to_dot's node labels and edges (by layer name) beside Keras's when
    pydot is installed; otherwise the type of the error both raise."""
    from compat_tests.parity import Pair, Row

    def compute():
        _, keras = _lib()
        from compat_tests.dot_graphs import dot_summary
        from compat_tests.test_summary_compat import summary_models
        from keraslite.utils import model_visualization

        ours, theirs = summary_models(keraslite), summary_models(keras)
        if not model_visualization.check_pydot():
            kinds = []
            for lib, model in ((keraslite, ours["fn"]), (keras, theirs["fn"])):
                try:
                    lib.utils.plot_model(model, to_file="unused.png")
                    kinds.append(None)
                except Exception as error:  # noqa: BLE001 - the type is compared
                    kinds.append(type(error).__name__)
            return [Pair("plot_model without pydot", kinds[0], kinds[1], exact=True)]
        pairs = []
        options = [{}, dict(show_shapes=True, show_dtype=True, show_layer_names=True,
                            show_layer_activations=True, show_trainable=True),
                   dict(expand_nested=True, show_shapes=True, rankdir="LR")]
        for name in ("fn", "outer", "multi", "seq"):
            for i, opts in enumerate(options):
                pairs.append(Pair(
                    f"model_to_dot {name} options {i}",
                    dot_summary(keraslite.utils.model_to_dot(ours[name], **opts),
                                ours[name]),
                    dot_summary(keras.utils.model_to_dot(theirs[name], **opts),
                                theirs[name]), exact=True))
        return pairs

    return Row("utils.plot_model[model_to_dot nodes and edges]", compute,
               covers=("utils.plot_model", "utils.model_to_dot"))


def model_rows():
    return [_functional_row(), _registration_row(), _config_row(), _plot_model_row()]
