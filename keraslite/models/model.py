"""Model: a Layer with the training API; Sequential, functional or subclassed.

`Model(inputs, outputs)` builds a functional model (see `functional.py`);
`class Net(Model)` with `__init__` and `call(inputs, training=False)` is a
subclassed model, built on its first call. All share one `compile` /
`fit` / `evaluate` / `predict` (see `trainers/trainer.py`).
"""
import numpy as np

from keraslite import autodiff
from keraslite.layers.layer import Layer, map_shapes
from keraslite.models import data as data_utils
from keraslite.ops.node import KerasTensor, flatten
from keraslite.trainers.trainer import Trainer
from keraslite.utils.naming import snake_case, unique_name


class Model(Trainer, Layer):
    """A model: layers with `compile`, `fit`, `evaluate`, `predict`, `save`.

    Functional: `Model(inputs, outputs, name=None)` over KerasTensors from
    `keraslite.Input` and layer calls. Subclassed: override `__init__`
    (create layers) and `call(inputs, training=False)`.

    Example:
    >>> inputs = keraslite.Input((784,))
    >>> outputs = layers.Dense(10, activation="softmax")(inputs)
    >>> model = keraslite.Model(inputs, outputs)
    """

    _cast_kinds = "f"  # int inputs (ids) pass through to their layers

    def __new__(cls, *args, **kwargs):
        if cls is Model and (args or "inputs" in kwargs or "outputs" in kwargs):
            from keraslite.models.functional import Functional

            return object.__new__(Functional)
        return object.__new__(cls)

    def __init__(self, *args, **kwargs):
        if args or "inputs" in kwargs or "outputs" in kwargs:
            raise TypeError(
                f"{type(self).__name__} is a subclassed model: its "
                "`super().__init__()` takes only `name`, `trainable` and "
                "`dtype`."
            )
        name = kwargs.pop("name", None) or unique_name(snake_case(type(self).__name__))
        Layer.__init__(self, name=name, **kwargs)
        self._init_trainer()
        self._sample_output_shapes = None

    # --- calling -------------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        """Runs the model on arrays (a new array back) or KerasTensors."""
        inputs = args[0] if args else kwargs.get("inputs")
        if any(isinstance(t, KerasTensor) for t in flatten(inputs)) or \
                autodiff.current_depth() > 0:
            return Layer.__call__(self, *args, **kwargs)
        kwargs.pop("inputs", None)
        training = args[1] if len(args) > 1 else kwargs.pop("training", False)
        xs, _ = self._input_list(inputs)
        xs = [data_utils.require(v, "x") for v in xs]
        if self._sample_output_shapes is None:  # as Keras: built on this batch's shapes
            self._sample_outputs(xs, batch=len(xs[0]) if xs and np.ndim(xs[0]) else None)
        xs = self._fit_inputs(xs)
        outputs = self._run(xs, bool(training))
        return self._structure_outputs(
            [np.array(autodiff.value_of(o)) for o in outputs])

    def call(self, inputs, training=False):
        raise NotImplementedError(
            f"Model {type(self).__name__} does not have a `call()` method "
            "implemented."
        )

    def build(self, input_shape=None):
        """Builds a subclassed model by calling it on zeros of `input_shape`."""
        if input_shape is None:
            raise ValueError(
                "You must provide an `input_shape` argument to build() a "
                "subclassed model."
            )
        shapes = input_shape if isinstance(input_shape, list) else [input_shape]
        xs = [np.zeros(tuple(1 if d is None else d for d in s), dtype=self.dtype)
              for s in shapes]
        self._sample_outputs(xs)

    def _maybe_build(self, input_shape):
        self.built = True

    def _call_checked_inputs(self, inputs, training):
        """`call` on inputs already checked and converted (Sequential and
        functional models' `_run_call`): skips `_eager_call`'s work."""
        state = autodiff._STATE
        previous, state["training"] = state["training"], training
        try:
            return self.call(inputs, training=training)
        finally:
            state["training"] = previous

    def _sample_outputs(self, xs, batch=None):
        """Builds the model by running it on the first sample of `xs`; the
        layers it builds record `batch` as their batch size (None, as Keras's
        symbolic build in fit, or the size of the batch `model(x)` got)."""
        self._build_shapes = [[None] + list(x.shape[1:]) for x in xs]
        unbuilt = [la for la in _all_layers(self) if not la.built]
        outputs = self._run([x[:1] for x in xs], False)
        for layer in unbuilt:
            for attr in ("input_shape", "output_shape"):
                shape = getattr(layer, attr, None)
                if layer.built and shape is not None:
                    setattr(layer, attr, map_shapes(
                        lambda s: (batch,) + s[1:] if s else s, shape))
        self._sample_output_shapes = [(None,) + tuple(np.shape(autodiff.value_of(o)))[1:]
                                      for o in outputs]
        self.built = True

    # --- what the trainer needs of a model ----------------------------------------------
    def _input_names(self):
        return None  # a subclassed model takes x as it is given

    def _pack_inputs(self, xs):
        keys = getattr(self, "_input_keys", None)
        if keys is not None and len(keys) == len(xs):
            return dict(zip(keys, xs))
        return xs[0] if len(xs) == 1 else list(xs)

    def _fit_inputs(self, xs):
        if self._sample_output_shapes is None:
            self._sample_outputs(xs)
        return xs

    def _output_names_known(self):
        return self._sample_output_shapes is not None

    @property
    def output_names(self):
        count = len(self._sample_output_shapes or [None])
        return ["output"] if count == 1 else [f"output_{i}" for i in range(count)]

    def _output_shapes(self):
        return self._sample_output_shapes

    def _structure_outputs(self, outputs):
        return outputs[0] if len(outputs) == 1 else outputs

    def _require_built(self, what):
        if not self.built:
            raise ValueError(
                f"Model '{self.name}' has not been built yet, so `{what}` is "
                "unknown. Call the model on data (fit, predict, or "
                "`model(x)`) or `model.build(input_shape)` first."
            )

    def count_params(self):
        """Number of scalars in all weights."""
        self._require_built("count_params")
        return int(sum(w.value.size for w in self.weights))

    def get_layer(self, name=None, index=None):
        """The layer called `name`, or at position `index` of `layers`."""
        if index is not None and name is not None:
            raise ValueError(
                "Provide only a layer name or a layer index. Received: "
                f"index={index}, name={name}."
            )
        layers = self.layers
        if index is not None:
            if len(layers) <= index:
                raise ValueError(
                    f"Was asked to retrieve layer at index {index} but model "
                    f"only has {len(layers)} layers."
                )
            return layers[index]
        if name is not None:
            for layer in layers:
                if layer.name == name:
                    return layer
            raise ValueError(
                f"No such layer: {name}. Existing layers are: "
                f"{[layer.name for layer in layers]}."
            )
        raise ValueError("Provide either a layer name or layer index at `get_layer`.")

    # --- summary and saving -------------------------------------------------------------
    def summary(self, line_length=None, positions=None, print_fn=None,
                expand_nested=False, show_trainable=False, layer_range=None):
        """Prints Keras 3's table of layers, output shapes and parameter counts.

        Args:
            line_length: Total width of the table (Keras's default: 88, or
                108 with a "Connected to" column, at most the terminal's
                width minus 4).
            positions: Where each column ends, as fractions of the width.
            print_fn: Called once with the whole table (default: printed).
            expand_nested: Whether to list the layers of nested models.
            show_trainable: Whether to add a "Trainable" column.
            layer_range: Two names (or regexes) of the first and last
                layers to list.
        """
        from keraslite.utils.summary import print_summary

        print_summary(self, line_length=line_length, positions=positions,
                      print_fn=print_fn, expand_nested=expand_nested,
                      show_trainable=show_trainable, layer_range=layer_range)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """A model from its config; a functional config (`layers`,
        `input_layers`, `output_layers`) rebuilds the graph, as in Keras."""
        from keraslite.models.functional import Functional

        if cls is Model and isinstance(config, dict) and all(
                key in config for key in ("layers", "input_layers", "output_layers")):
            return Functional.from_config(config, custom_objects=custom_objects)
        return super().from_config(config)

    def save(self, filepath, overwrite=True, zipped=None, **kwargs):
        """Saves the whole model as `.keras` (zip) or legacy `.h5`."""
        from keraslite import saving

        saving.save_model(self, filepath, overwrite=overwrite, zipped=zipped,
                          **kwargs)

    def save_weights(self, filepath, overwrite=True):
        """Saves the weights (`.weights.h5`, or legacy `.h5`)."""
        from keraslite import saving

        saving.save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath, skip_mismatch=False, **kwargs):
        """Loads weights saved by keraslite or Keras; all or nothing."""
        from keraslite import saving

        saving.load_weights(self, filepath, skip_mismatch=skip_mismatch, **kwargs)


def call_and_mask(model, inputs, mask, kwargs, run):
    """A Sequential or functional `model` called as a layer, with masks:
    `run(inputs, training, mask)` gives (outputs, their masks); a model
    without mask layers, given no mask, is just called."""
    explicit = kwargs.get("mask")
    mask = mask if explicit is None else explicit
    training = kwargs.get("training")
    if model._mask_free and mask is None:
        return model._eager_call(inputs, training=training), None
    state = autodiff._STATE
    previous = state["training"]
    training = previous if training is None else bool(training)
    state["training"] = training
    try:
        return run(inputs, training, mask)
    finally:
        state["training"] = previous


def fit_input(x, expected, layer_name, index=0):
    """`x` fitted to an input of batch shape `expected`, or a Keras error.

    As Keras: one extra trailing axis of size 1 is squeezed, and a missing
    last axis is added when the model expects size 1 there.
    """
    expected = tuple(expected[1:])
    shape = x.shape
    if shape[1:] == expected:  # the common case
        return x
    if x.ndim == len(expected) + 2 and x.shape[-1] == 1:
        x = x[..., 0]
    elif x.ndim == len(expected) and expected and expected[-1] == 1:
        x = x[..., None]
    received = x.shape[1:]
    if len(expected) != len(received) or any(
        e is not None and e != r for e, r in zip(expected, received)
    ):
        raise ValueError(
            f"Input {index} of layer '{layer_name}' is incompatible with the "
            f"layer: expected shape {(None,) + expected}, but received "
            f"input with shape {shape}"
        )
    return x


def _all_layers(layer):
    out = []
    for child in layer._tracked_layers:
        out.append(child)
        out.extend(_all_layers(child))
    return out
