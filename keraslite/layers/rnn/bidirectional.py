"""Bidirectional: runs a recurrent layer forward and backward and merges."""
from keraslite import ops
from keraslite.layers.core.wrapper import build_nested, serialize_nested
from keraslite.layers.layer import Layer, _accepts, _accepts_training

MERGE_MODES = ("sum", "mul", "ave", "concat", None)


class Bidirectional(Layer):
    """Bidirectional wrapper for RNNs.

    The wrapped layer is copied from its config twice: `forward_<name>`, and
    `backward_<name>` with `go_backwards=True` (the original layer's weights
    are not reused). The backward layer's output sequence is flipped back
    to the forward order before the two are merged.

    Args:
        layer: A recurrent layer (`LSTM`, `GRU`, `SimpleRNN`, `RNN`), or a
            layer with `go_backwards`, `return_sequences`, `return_state`
            and `stateful` attributes and a config.
        merge_mode: How the two outputs are combined: one of "sum", "mul",
            "concat", "ave" or None (a list of both). Defaults to "concat".
        backward_layer: Optional layer for the backward direction, with the
            same `stateful`, `return_sequences` and `return_state` as
            `layer` and the other `go_backwards`.

    Call arguments:
        As the wrapped layer's. With `initial_state`, its first half goes to
        the forward layer and its second half to the backward layer.

    Example:
    >>> layer = Bidirectional(LSTM(10, return_sequences=True))
    >>> layer(np.zeros((32, 5, 8), "float32")).shape
    (32, 5, 20)
    """

    def __init__(self, layer, merge_mode="concat", weights=None,
                 backward_layer=None, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(
                "Please initialize `Bidirectional` layer with a "
                f"`keras.layers.Layer` instance. Received: {layer}"
            )
        if backward_layer is not None and not isinstance(backward_layer, Layer):
            raise ValueError(
                "`backward_layer` need to be a `keras.layers.Layer` "
                f"instance. Received: {backward_layer}"
            )
        missing = [a for a in ("go_backwards", "return_sequences", "return_state",
                               "stateful") if not hasattr(layer, a)]
        if missing:
            # Keras fails here copying the layer with go_backwards=True.
            raise TypeError(
                "`Bidirectional` needs a recurrent layer (LSTM, GRU, SimpleRNN, "
                "RNN) or a layer with `go_backwards`, `return_sequences`, "
                "`return_state` and `stateful` attributes. Received: "
                f"layer={layer.name} ({type(layer).__name__}), without "
                f"{', '.join(missing)}"
            )
        if merge_mode not in MERGE_MODES:
            raise ValueError(
                f"Invalid merge mode. Received: {merge_mode}. "
                "Merge mode should be one of "
                '{"sum", "mul", "ave", "concat", None}'
            )
        if weights is not None:
            raise ValueError(
                "keraslite's Bidirectional does not take `weights`; call "
                "`set_weights` once the layer is built."
            )
        super().__init__(**kwargs)
        # Copies from the config, so that no state of `layer` is carried over.
        self.forward_layer = _copy(layer, f"forward_{_removeprefix(layer.name, 'forward_')}")
        if backward_layer is None:
            self.backward_layer = _copy(
                layer, f"backward_{_removeprefix(layer.name, 'backward_')}",
                go_backwards=True)
        else:
            self.backward_layer = backward_layer
        self._verify_layer_config()
        for sublayer in (self.forward_layer, self.backward_layer):
            # As Keras: masked steps output zeros when returning sequences.
            if getattr(sublayer, "zero_output_for_mask", None) is not None:
                sublayer.zero_output_for_mask = sublayer.return_sequences
        self.merge_mode = merge_mode
        self.stateful = layer.stateful
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.supports_masking = True

    def _verify_layer_config(self):
        """The two layers must differ in `go_backwards` only."""
        if self.forward_layer.go_backwards == self.backward_layer.go_backwards:
            raise ValueError(
                "Forward layer and backward layer should have different "
                "`go_backwards` value. Received: "
                "forward_layer.go_backwards "
                f"{self.forward_layer.go_backwards}, "
                "backward_layer.go_backwards="
                f"{self.backward_layer.go_backwards}"
            )
        for a in ("stateful", "return_sequences", "return_state"):
            forward_value = getattr(self.forward_layer, a)
            backward_value = getattr(self.backward_layer, a)
            if forward_value != backward_value:
                raise ValueError(
                    "Forward layer and backward layer are expected to have "
                    f'the same value for attribute "{a}", got '
                    f'"{forward_value}" for forward layer and '
                    f'"{backward_value}" for backward layer'
                )

    def build(self, sequences_shape, initial_state_shape=None):
        for layer in (self.forward_layer, self.backward_layer):
            if not layer.built:
                build_nested(self, layer, sequences_shape)

    def _check_input_shape(self, input_shape):
        self.forward_layer._check_input_shape(input_shape)

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        output_shape = self.forward_layer.compute_output_shape(sequences_shape)
        state_shape = []
        if self.return_state:
            output_shape, state_shape = output_shape[0], list(output_shape[1:])
        if self.merge_mode == "concat":
            output_shape = tuple(output_shape[:-1]) + (output_shape[-1] * 2,)
        if self.merge_mode is None:
            output_shape = [tuple(output_shape), tuple(output_shape)]
        else:
            output_shape = [tuple(output_shape)]
        if self.return_state:
            return output_shape + state_shape + state_shape
        return output_shape if self.merge_mode is None else output_shape[0]

    def call(self, sequences, initial_state=None, mask=None, training=None):
        kwargs = {}
        if _accepts_training(self.forward_layer):
            kwargs["training"] = training
        if _accepts(self.forward_layer, "mask"):
            kwargs["mask"] = mask
        forward_state = backward_state = None
        if initial_state is not None:
            half = len(initial_state) // 2
            forward_state, backward_state = initial_state[:half], initial_state[half:]
        # `_eager_call` is `__call__` on arrays without its pass bookkeeping,
        # so the outputs stay on the tape even when this layer is the top call.
        y = self.forward_layer._eager_call(sequences, initial_state=forward_state,
                                           **kwargs)
        y_rev = self.backward_layer._eager_call(sequences, initial_state=backward_state,
                                                **kwargs)
        states = []
        if self.return_state:
            states = list(y[1:]) + list(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = ops.get_item(y_rev, (slice(None), slice(None, None, -1)))
        if self.merge_mode == "concat":
            output = [ops.concatenate([y, y_rev], axis=-1)]
        elif self.merge_mode == "sum":
            output = [y + y_rev]
        elif self.merge_mode == "ave":
            output = [(y + y_rev) / 2]
        elif self.merge_mode == "mul":
            output = [y * y_rev]
        else:
            output = [y, y_rev]
        if self.return_state or self.merge_mode is None:
            return output + states
        return output[0]

    def compute_mask(self, _, mask):
        if isinstance(mask, list):
            mask = mask[0]
        if self.return_sequences:
            output_mask = [mask, mask] if not self.merge_mode else mask
        else:
            output_mask = [None, None] if not self.merge_mode else None
        if self.return_state and self.states is not None:
            state_mask = [None for _ in self.states]
            if isinstance(output_mask, list):
                return output_mask + state_mask
            return [output_mask] + state_mask
        return output_mask

    @property
    def states(self):
        if self.forward_layer.states and self.backward_layer.states:
            return tuple(self.forward_layer.states + self.backward_layer.states)
        return None

    def reset_states(self):
        # Compatibility alias.
        self.reset_state()

    def reset_state(self):
        if not self.stateful:
            raise AttributeError("Layer must be stateful.")
        self.forward_layer.reset_state()
        self.backward_layer.reset_state()

    def get_config(self):
        config = {"merge_mode": self.merge_mode,
                  "layer": serialize_nested(self.forward_layer),
                  "backward_layer": serialize_nested(self.backward_layer)}
        return {**super().get_config(), **config}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from keraslite import layers

        config = dict(config)
        config["layer"] = layers.deserialize(config["layer"], custom_objects)
        backward = config.pop("backward_layer", None)
        if backward is not None:
            config["backward_layer"] = layers.deserialize(backward, custom_objects)
        return cls(**config)


def _copy(layer, name, **changes):
    """A new layer from `layer`'s config, renamed (and changed)."""
    from keraslite import layers

    entry = layers.serialize(layer)
    entry["config"] = {**entry["config"], **changes, "name": name}
    entry.pop("build_config", None)
    return layers.deserialize(entry)


def _removeprefix(name, prefix):
    return name[len(prefix):] if name.startswith(prefix) else name
