"""Sequential: a linear stack of layers, a Model whose call runs them in order.

Training, evaluation and prediction are the shared ones of every model
(`trainers/trainer.py`); this module keeps only the stack: `add`, `pop`,
`build`, the input checks and the config.
"""
import numpy as np

from keraslite import autodiff, backend
from keraslite import layers as layers_module
from keraslite.layers.convolutional import conv_pool
from keraslite.layers.convolutional.conv_pool import ConvPool
from keraslite.layers.core.input_layer import InputLayer
from keraslite.layers.layer import Layer, dtype_policy_config, number_call
from keraslite.models import data as data_utils
from keraslite.models.model import Model, call_and_mask, fit_input
from keraslite.ops.node import KerasTensor
from keraslite.utils.denormal import flush_denormals
from keraslite.utils.naming import unique_name


class Sequential(Model):
    """A linear stack of layers.

    Args:
        layers: Optional list of layers (an `Input(...)` may come first).
        trainable: Whether the model's weights are trained.
        name: Model name (`sequential`, `sequential_1`, ... by default).

    Example:
    >>> model = Sequential([Input((784,)), Dense(10, activation="softmax")])
    >>> model.compile("rmsprop", "categorical_crossentropy", ["accuracy"])
    """

    _protect_inputs = False

    def __init__(self, layers=None, trainable=True, name=None):
        Model.__init__(self, name=name or unique_name("sequential"),
                       trainable=trainable)
        self._input_layer = None
        self._layers = self._tracked_layers  # the stack is what is tracked
        self._mask_free = True  # no layer makes a mask (set by `build`)
        for layer in layers or []:
            self.add(layer)

    # --- structure ------------------------------------------------------------
    def add(self, layer):
        """Adds a layer (or an `Input(...)`) on top of the stack."""
        if isinstance(layer, KerasTensor):
            layer = getattr(layer, "_input_layer", None) or InputLayer(
                batch_shape=layer.shape
            )
        if isinstance(layer, InputLayer):
            if self._layers or self._input_layer is not None:
                raise ValueError(
                    "An InputLayer can only be the first layer of a Sequential "
                    f"model. Received: {layer.name}"
                )
            self._input_layer = layer
            self._reset_input_converter()
            self._build_if_ready()
            return
        if not isinstance(layer, Layer):
            raise ValueError(
                "Only instances of `keraslite.layers.Layer` can be added to a "
                f"Sequential model. Received: {layer!r} (of type {type(layer)})"
            )
        if any(existing.name == layer.name for existing in self._layers):
            raise ValueError(
                "All layers added to a Sequential model should have unique "
                f"names. Name '{layer.name}' is already the name of a layer "
                "in this model. Update the `name` argument to pass a unique "
                "name."
            )
        if not self._layers and self._input_layer is None and \
                layer._input_shape_arg is not None:
            self._input_layer = InputLayer(shape=layer._input_shape_arg)
        self._layers.append(layer)
        self.built = False
        self._build_if_ready()

    def pop(self):
        """Removes and returns the last layer."""
        if not self._layers:
            raise TypeError("There are no layers in the model.")
        layer = self._layers.pop()
        self.built = False
        self._build_if_ready()
        return layer

    @property
    def layers(self):
        """The layers, without the InputLayer (as in Keras 3)."""
        return list(self._layers)

    def _build_if_ready(self):
        if self._input_layer is not None and self._layers:
            self.build(self._input_layer.batch_shape)

    def build(self, input_shape=None):
        """Builds every layer for inputs of `input_shape` (batch axis first)."""
        if input_shape is None:
            if self._input_layer is None:
                raise ValueError(
                    "You must provide an `input_shape` argument to build() "
                    "or start the model with an Input."
                )
            input_shape = self._input_layer.batch_shape
        input_shape = tuple(input_shape)
        self._reset_input_converter()
        if self._input_layer is None:
            self._input_layer = InputLayer(batch_shape=input_shape)
        shape = input_shape
        for layer in self._layers:
            if layer.built and layer.input_shape is not None and \
                    tuple(layer.input_shape[1:]) != tuple(shape[1:]):
                raise ValueError(
                    f"Layer '{layer.name}' was built for inputs of shape "
                    f"{layer.input_shape} but receives {shape}."
                )
            layer._maybe_build(shape)
            shape = layer.compute_output_shape(shape)
            layer.output_shape = shape
        self.built = bool(self._layers)
        self._mask_free = not any(la._may_make_mask() for la in self._layers)
        self._sample_output_shapes = [shape] if self.built else None
        self._graph_output = None
        if self.built:
            # As Keras's Sequential: the layers are also called on the
            # input symbolically, so `layer.output` / `model.output` exist
            # (e.g. for `Model(model.input, model.get_layer(...).output)`).
            x = self._input_layer.output
            for layer in self._layers:
                x = layer(x)
            self._graph_output = x

    @property
    def input_shape(self):
        """The model's input shape, batch axis first."""
        self._require_built("input_shape")
        return self._input_layer.batch_shape

    @property
    def output_shape(self):
        """The last layer's output shape, batch axis first."""
        self._require_built("output_shape")
        return self._layers[-1].output_shape

    @property
    def inputs(self):
        """The model's symbolic input (a one-element list), or None."""
        return [self._input_layer.output] if self._input_layer else None

    @property
    def input(self):
        self._require_built("input")
        return self._input_layer.output

    @property
    def outputs(self):
        return [self.output]

    @property
    def output(self):
        self._require_built("output")
        return self._graph_output

    def _require_built(self, what):
        if not self.built:
            raise ValueError(
                f"Sequential model '{self.name}' has no defined input shape "
                f"yet, so `{what}` is unknown. Add an Input, or call the "
                "model (fit, predict, build) on data first."
            )

    def _maybe_build(self, input_shape):
        if not self.built:
            self.build(input_shape)

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape)
        for layer in self._layers:
            shape = layer.compute_output_shape(shape)
        return shape

    def call(self, inputs, training=False, mask=None):
        if mask is not None or not self._mask_free:
            return self._run_masked(inputs, training, mask)[0]
        x = inputs
        if isinstance(x, np.ndarray) and self._plain_stack():
            # Built-in layers on an input checked against the model's input
            # shape already: in inference just their forwards, in training
            # their recorded calls, without `_eager_call`'s generic work.
            if autodiff._STATE["tape"] is None:
                return self._forwards(x, training)
            for step in self._steps():
                x = step.call(x, training=training)
            return x
        for layer in self._layers:
            x = layer._eager_call(x, training=training)
        return x

    def _forwards(self, x, training):
        """The steps' forwards on `x` (a plain stack, no tape recording)."""
        state = autodiff._STATE
        for step in self._steps():
            if type(step) is ConvPool:
                x = step.call(x)
                continue
            number_call(step, state)
            x, _ = step.forward(x, training=training)
        return x

    def _predict_small(self, x):
        """`predict(x, verbose=0)` of up to 32 samples (one batch) that are
        already a floatx array of the input's shape, on a plain stack: the
        checks and the forwards without the general path's steps (a
        single-sample predict takes ~7 us less); None for any other `x`."""
        layer = self._input_layer
        if type(x) is not np.ndarray or layer is None or not self.built or \
                not 0 < len(x) <= 32 or x.dtype != backend.floatx() or \
                layer.dtype not in (None, backend.floatx()) or \
                x.shape[1:] != layer.batch_shape[1:] or \
                not self._mask_free or not self._plain_stack():
            return None
        data_utils.check_finite(x, "x")
        state = autodiff._STATE
        previous = state["training"]
        with flush_denormals():
            autodiff.enter_call()
            state["training"] = False
            try:
                y = self._forwards(x, False)
            finally:
                state["training"] = previous
                autodiff.exit_call()
        return np.array(y)

    def _run_masked(self, x, training, mask):
        """The stack with each layer's output mask carried to the next (as
        Keras's Sequential passes `mask=`); returns the output and its mask."""
        for layer in self._layers:
            x, mask = layer._call_and_mask(x, mask, {"training": training})
        return x, mask

    def _call_and_mask(self, inputs, mask, kwargs):
        """The output and its mask (for a model used as a layer)."""
        if not self.built:
            self._maybe_build(autodiff.value_of(inputs).shape)
        return call_and_mask(self, inputs, mask, kwargs, self._run_masked)

    def _may_make_mask(self):
        return not self._mask_free

    def _steps(self):
        """The layers, with each relu Conv2D + tiling MaxPooling2D pair as one
        `ConvPool` step (see `conv_pool`); cached while the layers stay."""
        key = tuple(map(id, self._layers))
        cached = self.__dict__.get("_steps_cache")
        if cached is None or cached[0] != key:
            cached = (key, conv_pool.plan(self._layers))
            self.__dict__["_steps_cache"] = cached  # not a tracked attribute
        return cached[1]

    def _plain_stack(self):
        """Whether every layer is a built built-in without activity penalty."""
        for layer in self._layers:  # a loop, not all(...): runs per predict
            if not layer.built or type(layer).call is not Layer.call or \
                    layer.activity_regularizer is not None:
                return False
        return True

    # --- what the trainer needs ---------------------------------------------------------
    def _input_names(self):
        return [self._input_layer.name] if self._input_layer is not None else ["input"]

    @property
    def output_names(self):
        return [self._layers[-1].name] if self._layers else ["output"]

    def _output_names_known(self):
        return True

    # The inputs were checked against the graph's inputs (`_fit_inputs`).
    _run_call = Model._call_checked_inputs

    def _pack_inputs(self, xs):
        return xs[0]

    def _fit_inputs(self, xs):
        (x,) = xs
        if not self.built:
            self.build((None,) + x.shape[1:])
        if x.shape[1:] == self._input_layer.batch_shape[1:]:  # the common case
            return xs
        first = self._layers[0].name if self._layers else self.name
        return [fit_input(x, self._input_layer.batch_shape, first)]

    def _output_shapes(self):
        return [self.output_shape]

    def _structure_outputs(self, outputs):
        return outputs[0]


    def get_config(self):
        """The model's Keras 3 config: name, dtype policy, layers, input shape."""
        config = {
            "name": self.name,
            "trainable": self.trainable,
            "dtype": dtype_policy_config(backend.floatx()),
            "layers": [],
        }
        if self._input_layer is not None:
            config["layers"].append(layers_module.serialize(self._input_layer))
        config["layers"] += [layers_module.serialize(la) for la in self._layers]
        if self.built:
            config["build_input_shape"] = tuple(self._input_layer.batch_shape)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Rebuilds a model from `get_config()` output (or a Keras config).

        Only keraslite's layer classes (and `custom_objects`, a dict of
        keraslite Layer subclasses) are built; anything else raises.
        """
        from keraslite.saving import serialization

        custom = serialization._custom_layers(custom_objects)
        config = serialization.screen(config, custom, "Sequential config")
        return serialization.sequential_from_config(config, custom)
