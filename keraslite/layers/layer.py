"""The Layer base class and the Variable that holds a weight."""
import numpy as np

from keraslite import autodiff, backend
from keraslite.utils.naming import snake_case, unique_name


class Variable(autodiff.TensorOps):
    """A named weight array that layers and optimizers update in place.

    `numpy()` returns a copy; `value` is the live array. Operators and
    `keraslite.ops` accept it; in training they record its gradient.
    """

    def __init__(self, value, name, trainable=True, path=None):
        self.value = value
        self.name = name
        self.trainable = trainable
        self.path = path or name
        self.regularizer = None
        self.constraint = None

    @property
    def shape(self):
        return self.value.shape

    @property
    def dtype(self):
        return str(self.value.dtype)

    def numpy(self):
        return self.value.copy()

    def assign(self, value):
        value = np.asarray(value)
        if value.shape != self.value.shape:
            raise ValueError(
                f"Cannot assign to variable '{self.path}': expected shape "
                f"{self.value.shape}, received {value.shape}."
            )
        self.value[...] = value

    def __array__(self, dtype=None, copy=None):
        return self.value if dtype is None else self.value.astype(dtype)

    def __repr__(self):
        return (
            f"<Variable path={self.path}, shape={self.shape}, "
            f"dtype={self.dtype}>"
        )


_LAYER_KWARGS = ("input_shape", "input_dim", "batch_input_shape", "batch_size")


class Layer:
    """Base class of keraslite layers.

    A layer written by a user implements `build(input_shape)` (creating its
    weights with `add_weight`) and `call(inputs)` from other layers and
    `keraslite.ops`; it trains with no backward of its own, because every
    op it calls is recorded on the tape (see `keraslite/autodiff.py`).

    A built-in layer instead gives its maths by hand, forward beside
    backward:
        `forward(inputs, training, keep)` returns `(outputs, ctx)`, where
        `ctx` is what the backward needs (kept only when `keep`);
        `backward(ctx, dy)` returns `(input_grads, weight_grads)`, the
        weight gradients aligned with `trainable_weights`; it may overwrite
        `dy`.
    Each call is one record on the tape, so a layer called twice in a step
    has two records and its weight gradients are summed.

    Args:
        trainable: Whether the layer's weights are trained.
        name: Layer name; unique by default (`dense`, `dense_1`, ...).
        dtype: Only "float32" is supported.
    """

    # Whether `__call__` converts array inputs to the layer's float dtype,
    # and which kinds of arrays: keraslite's built-in layers take any
    # numbers; models and users' layers, as Keras's autocasting, only
    # floats (int32 ids reach an Embedding or a user's call() as ints).
    _cast_inputs = True
    _cast_kinds = "biuf"

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if not cls.__module__.startswith("keraslite."):
            cls._cast_kinds = "f"
    # Whether a `call()` written in Python gets its inputs as Tensors (not
    # the caller's arrays); False for keraslite's own models and layers.
    _protect_inputs = True

    def __init__(self, trainable=True, name=None, dtype=None, **kwargs):
        unknown = set(kwargs) - set(_LAYER_KWARGS)
        if unknown:
            raise ValueError(
                f"Unrecognized keyword arguments passed to {type(self).__name__}: "
                f"{ {k: kwargs[k] for k in sorted(unknown)} }"
            )
        self._tracked_layers = []
        self._input_shape_arg = _input_shape_from_kwargs(kwargs)
        self.name = name or unique_name(snake_case(type(self).__name__))
        self.trainable = trainable
        self.dtype = _check_dtype(dtype)
        self.built = False
        self._weights = []
        self._buffers = {}
        self._inbound_nodes = []
        self._call_losses = []
        self._pass, self._slot = -1, 0
        self.activity_regularizer = None
        for attr in ("input_shape", "output_shape"):  # models compute them
            if not isinstance(getattr(type(self), attr, None), property):
                object.__setattr__(self, attr, None)

    def __setattr__(self, name, value):
        # As Keras: layers assigned as attributes (or in lists) are tracked,
        # so their weights are the model's weights.
        if name[0] == "_":
            object.__setattr__(self, name, value)
            return
        tracked = self.__dict__.get("_tracked_layers")
        if tracked is not None:
            candidates = value if isinstance(value, (list, tuple)) else [value]
            for item in candidates:
                if isinstance(item, Layer) and item is not self and \
                        not any(item is t for t in tracked):
                    tracked.append(item)
        object.__setattr__(self, name, value)

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        # As Keras 3: setting it on a layer sets it on every layer it tracks
        # (a frozen model freezes its BatchNormalization layers too).
        self._trainable = bool(value)
        for layer in self.__dict__.get("_tracked_layers", ()):
            layer.trainable = value

    # --- weights ------------------------------------------------------------
    def add_weight(self, shape=None, initializer=None, dtype=None,
                   trainable=True, autocast=True, regularizer=None,
                   constraint=None, aggregation="none", name=None):
        """Creates, initialises and tracks a weight; returns its Variable.

        Args:
            shape: Shape of the weight (a scalar by default).
            initializer: Initializer name or object ("glorot_uniform" for
                float weights by default, as in Keras).
            trainable: Whether the optimizer updates it.
            regularizer, constraint: Optional penalty and projection.
            name: Name of the weight (e.g. "kernel").
        """
        from keraslite import constraints, initializers, regularizers

        shape = () if shape is None else tuple(shape)
        initializer = initializers.get(initializer or "glorot_uniform")
        dtype = _check_dtype(dtype) if dtype is not None else self.dtype
        name = name or unique_name("variable")
        value = initializer(shape, dtype=dtype)
        value = np.ascontiguousarray(value, dtype=dtype)
        var = Variable(value, name, trainable=trainable, path=f"{self.name}/{name}")
        var.regularizer = regularizers.get(regularizer)
        var.constraint = constraints.get(constraint)
        self._weights.append(var)
        return var

    @property
    def layers(self):
        """The layers tracked as attributes of this layer."""
        return list(self._tracked_layers)

    def _own_and_nested(self, pick):
        if not self._tracked_layers:  # most layers: their own weights only
            return pick(self)
        out, seen = [], set()
        for var in pick(self) + [w for layer in self._tracked_layers
                                 for w in layer._collect(pick)]:
            if id(var) not in seen:
                seen.add(id(var))
                out.append(var)
        return out

    def _collect(self, pick):
        return self._own_and_nested(pick)

    @property
    def weights(self):
        """Own weights (trainable first, as Keras), then nested layers'."""
        return self._own_and_nested(lambda la: (
            [w for w in la._weights if w.trainable]
            + [w for w in la._weights if not w.trainable]))

    @property
    def trainable_weights(self):
        if not self.trainable:
            return []
        return self._own_and_nested(lambda la: (
            [w for w in la._weights if w.trainable] if la.trainable else []))

    @property
    def non_trainable_weights(self):
        if not self.trainable:
            return self.weights
        trainable = {id(w) for w in self.trainable_weights}
        return [w for w in self.weights if id(w) not in trainable]

    @property
    def variables(self):
        return self.weights

    @property
    def trainable_variables(self):
        return self.trainable_weights

    @property
    def non_trainable_variables(self):
        return self.non_trainable_weights

    def get_weights(self):
        """Returns copies of the layer's weights as a list of arrays."""
        return [w.numpy() for w in self.weights]

    def set_weights(self, weights):
        """Sets the layer's weights from a list of arrays (all or nothing)."""
        weights = list(weights)
        variables = self.weights
        if len(weights) != len(variables):
            raise ValueError(
                f"Layer {self.name} weight shape mismatch: you called "
                f"`set_weights(weights)` on layer '{self.name}' with a weight "
                f"list of length {len(weights)}, but the layer was expecting "
                f"{len(variables)} weights."
            )
        arrays = []
        for var, value in zip(variables, weights):
            value = np.asarray(value)
            if value.shape != var.shape:
                raise ValueError(
                    f"Layer {self.name} weight shape mismatch for "
                    f"'{var.path}': expected shape {var.shape}, received "
                    f"value with shape {value.shape}."
                )
            arrays.append(value)
        for var, value in zip(variables, arrays):
            var.value[...] = value

    def count_params(self):
        """Total number of scalars in the layer's weights."""
        if not self.built:
            raise ValueError(
                "You tried to call `count_params` on layer "
                f"'{self.name}', but the layer isn't built. You can build it "
                "manually via: `layer.build(input_shape)`."
            )
        return int(sum(w.value.size for w in self.weights))

    # --- losses -------------------------------------------------------------
    @property
    def losses(self):
        """Penalties of the trainable weights (as Keras), then the losses
        added by the last call."""
        return [w.regularizer(w.value) for w in self.trainable_weights
                if w.regularizer is not None] + [
            autodiff.value_of(v) for layer in [self] + self._tracked_layers
            for v in layer._call_losses]

    def add_loss(self, loss):
        """Adds a loss computed in `call()` (e.g. a VAE's KL term).

        In training the loss (a scalar of `keraslite.ops`) is added to the
        compiled loss and differentiated with it.
        """
        self._call_losses.append(loss)
        tape = autodiff.current_tape()
        if tape is not None:
            tape.losses.append(loss)

    # --- building -----------------------------------------------------------
    def _buffer(self, key, shape, slot=None):
        """A reused work array of `shape`: a row slice of a cached one.

        Training and prediction call the layer with the same few batch
        sizes, so the hot loop allocates nothing after its first step. Each
        call of the layer in one pass has its own (`slot`).
        """
        key = (key, self._slot if slot is None else slot)
        buf = self._buffers.get(key)
        if buf is not None and buf.shape == shape:
            return buf
        if buf is None or buf.shape[1:] != shape[1:] or buf.shape[0] < shape[0]:
            buf = np.empty(shape, dtype=self.dtype)
            self._buffers[key] = buf
        return buf[: shape[0]]

    def build(self, input_shape):
        self.built = True

    def _maybe_build(self, input_shape):
        if not self.built:
            self.input_shape = _freeze(input_shape)
            self.build(_freeze(input_shape))
            self.built = True
            try:
                self.output_shape = self.compute_output_shape(_freeze(input_shape))
            except Exception:  # a user layer may not define it
                self.output_shape = None

    def compute_output_shape(self, input_shape):
        if type(self).call is not Layer.call:
            return self._infer_output_shape(input_shape)
        return _freeze(input_shape)

    def _infer_output_shape(self, input_shape):
        """Output shape of a user's `call()`, by running it on zeros."""
        from keraslite.ops.node import map_structure

        def zeros(shape):
            return np.zeros(tuple(1 if d is None else d for d in shape),
                            dtype=self.dtype)

        autodiff.enter_call()  # a pass of its own
        try:
            out = self._eager_call(map_shapes(zeros, input_shape), training=False)
        finally:
            autodiff.exit_call()
        return map_structure(lambda a: (None,) + tuple(np.shape(a))[1:], out)

    # --- calling ------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        """Calls the layer on arrays (computes) or KerasTensors (builds a graph)."""
        from keraslite.ops.node import KerasTensor, flatten

        if args:
            inputs, args = args[0], args[1:]
        elif "inputs" in kwargs:
            inputs = kwargs.pop("inputs")
        else:
            raise ValueError(
                f"Layer '{self.name}' must be called with a first argument "
                "`inputs`."
            )
        if any(isinstance(t, KerasTensor) for t in flatten(inputs)):
            return self._symbolic_call(inputs, *args, **kwargs)
        top = autodiff.enter_call()
        try:
            mask = _carried_mask(inputs)
            if mask is None and kwargs.get("mask") is None and \
                    not self._may_make_mask():
                outputs = self._eager_call(inputs, *args, **kwargs)
            else:  # hand the mask on in a Tensor (a user's call() sees Tensors)
                kwargs.update(zip(("training",), args))
                outputs, out_mask = self._call_and_mask(inputs, mask, kwargs)
                if out_mask is not None and not top:
                    if not isinstance(outputs, autodiff.Tensor):
                        outputs = autodiff.Tensor(outputs)
                    outputs._keras_mask = out_mask
        finally:
            autodiff.exit_call()
        if top:  # the caller gets arrays of its own, not buffers
            from keraslite.ops.node import map_structure

            outputs = map_structure(_owned_array, outputs)
        return outputs

    def _eager_call(self, inputs, training=None, **kwargs):
        """Runs the layer on arrays or tape Tensors (no copies)."""
        if isinstance(inputs, np.ndarray):  # the common case, kept short
            if self._cast_inputs and inputs.dtype != self.dtype and \
                    inputs.dtype.kind in self._cast_kinds:
                inputs = inputs.astype(self.dtype)
            shape = inputs.shape
        elif isinstance(inputs, autodiff.Tensor):
            shape = inputs.shape
        else:
            from keraslite.ops.node import map_structure

            if self._cast_inputs:
                inputs = map_structure(self._convert_input, inputs)
            shape = map_structure(np.shape, inputs)
        if not self.built:
            self._maybe_build(shape)
        else:
            self._check_input_shape(shape)
        if self._protect_inputs and type(self).call is not Layer.call:
            # A user's call() sees tensors, never the caller's arrays, so
            # `inputs -= ...` cannot change them (as with Keras's tensors).
            from keraslite.ops.node import map_structure

            inputs = map_structure(_as_tensor, inputs)
        state = autodiff._STATE
        previous = state["training"]
        training = previous if training is None else bool(training)
        state["training"] = training
        if self._call_losses:
            self._call_losses = []
        try:
            if _accepts_training(self):
                kwargs["training"] = training
            if "mask" in kwargs and kwargs["mask"] is None and \
                    not _accepts(self, "mask"):
                del kwargs["mask"]  # Keras's configs may carry mask=None
            outputs = self.call(inputs, **kwargs)
        finally:
            state["training"] = previous
        if self.activity_regularizer is not None:
            self._activity_penalty(outputs)
        return outputs

    def _convert_input(self, x):
        if isinstance(x, autodiff.Tensor):
            return x
        if isinstance(x, Variable):
            x = x.value
        x = np.asarray(x)
        if x.dtype != self.dtype and x.dtype.kind in self._cast_kinds:
            x = x.astype(self.dtype)
        return x

    def _check_input_shape(self, input_shape):
        """Raises when inputs do not fit the built layer (see Dense)."""

    def _activity_penalty(self, outputs):
        """As Keras: the penalty of the output, divided by the batch size."""
        tape = autodiff.current_tape()
        value = autodiff.value_of(outputs)
        batch = np.float32(len(value)) if np.ndim(value) else np.float32(1)
        penalty = self.activity_regularizer(value) / batch
        self._call_losses.append(penalty)
        if tape is not None:
            tape.penalties.append((outputs, penalty, self.activity_regularizer, batch))

    def call(self, inputs, training=False, mask=None):
        """Runs `forward` and records its `backward` on the active tape.

        `mask` reaches `forward` only in layers that use it
        (`_forward_takes_mask`, e.g. GlobalAveragePooling1D)."""
        state = autodiff._STATE
        tape = state["tape"]
        number_call(self, state)
        extra = {"mask": mask} if mask is not None and self._forward_takes_mask else {}
        if tape is None:  # inference: nothing to keep
            values = inputs if isinstance(inputs, np.ndarray) else \
                autodiff.value_of(inputs) if not isinstance(inputs, list) else \
                [autodiff.value_of(x) for x in inputs]
            outputs, _ = self.forward(values, training=training, **extra)
            return inputs if outputs is values else outputs
        values = autodiff.value_of(inputs) if not isinstance(inputs, list) else \
            [autodiff.value_of(x) for x in inputs]
        needs = autodiff.needs_grad(inputs) if not isinstance(inputs, list) else \
            any(autodiff.needs_grad(x) for x in inputs)
        keep = needs or self._keeps_logits or any(tape.watches(w) for w in self._weights)
        outputs, ctx = self.forward(values, training=training, keep=keep, **extra)
        if outputs is values:  # the identity (InputLayer, Dropout at inference)
            return inputs
        if not keep or ctx is None:
            return outputs
        return self._record(tape, inputs, outputs, ctx)

    # Built-ins whose output a loss may read as logits (softmax, sigmoid).
    _keeps_logits = False
    # Built-ins whose `forward` takes the input's mask (`mask=`).
    _forward_takes_mask = False

    def _record(self, tape, inputs, outputs, ctx):
        out = autodiff.Tensor(outputs, requires_grad=True)
        single = not isinstance(inputs, list)
        inputs_list = [inputs] if single else list(inputs)
        trainable = self.trainable_weights if self.trainable else []

        def backward(grads):
            need = any(autodiff.needs_grad(x) for x in inputs_list)
            dx, weight_grads = self.backward(ctx, grads[0], need_input_grad=need,
                                             from_logits=rec.from_logits)
            for var, grad in zip(trainable, weight_grads):
                if grad is not None and tape.watches(var):
                    tape.add_weight_grad(var, grad)
            return [dx] if single else dx

        rec = tape.record(backward, inputs_list, [out])
        logits = self._logits_of(ctx)
        # NOTE: Keras's loss does not read the logits of a layer with an
        # activity regularizer (measured against Keras 3.15 / TF 2.21).
        if logits is not None and self.activity_regularizer is None:
            out.logits_record = (rec, logits, self.activation)
        return out

    def _logits_of(self, ctx):
        """The pre-activation a loss may use, or None (see Dense)."""
        return None

    def forward(self, inputs, training=False, keep=False):
        raise NotImplementedError(
            f"Layer {type(self).__name__} does not have a `call()` method "
            "implemented."
        )

    def _symbolic_call(self, inputs, *args, **kwargs):
        """Calls on KerasTensors: builds, infers shapes, records a Node."""
        from keraslite.ops.node import KerasTensor, Node, map_structure

        shapes = map_structure(lambda t: t.shape, inputs)
        if not self.built:
            self._maybe_build(shapes)
        else:
            self._check_input_shape(shapes)
        out_shape = self.compute_output_shape(_freeze(shapes))
        if self.output_shape is None:
            self.output_shape = out_shape
        outputs = map_shapes(lambda shape: KerasTensor(shape, self.dtype),
                             out_shape)
        kwargs.update(zip(("training",), args))
        Node(self, inputs, outputs, kwargs)
        return outputs

    # --- masks ------------------------------------------------------------------
    # As Keras 3: a mask (bool, e.g. (batch, steps)) rides beside a value.
    # keraslite's arrays cannot carry it, so the model runners (Functional,
    # Sequential) carry it beside each value, and a layer call inside a
    # subclassed model hands it on in the `_keras_mask` of a tape Tensor.
    @property
    def supports_masking(self):
        """Whether the layer computes its output mask with `compute_mask`
        (by default: whether it overrides `compute_mask`, as Keras)."""
        value = self.__dict__.get("_supports_masking")
        if value is None:
            return type(self).compute_mask is not Layer.compute_mask
        return value

    @supports_masking.setter
    def supports_masking(self, value):
        self.__dict__["_supports_masking"] = bool(value)

    def compute_mask(self, inputs, mask=None):
        """The output mask: by default the input's (for `supports_masking`)."""
        return mask

    def _may_make_mask(self):
        """Whether a call may give a mask without receiving one (False lets
        the model runners skip all mask work)."""
        return type(self).compute_mask is not Layer.compute_mask

    def _call_and_mask(self, inputs, mask, kwargs):
        """`_eager_call` with Keras's mask handling; returns (outputs, mask).

        As Keras's `Layer.__call__`: a `call` taking `mask` gets the input's
        mask unless one is passed explicitly; the output mask is the one the
        outputs already carry, else `compute_mask(inputs, previous_mask)` when
        `supports_masking`, else None (with Keras's warning if a mask is lost).
        """
        explicit = kwargs.get("mask")
        if explicit is None and mask is not None and _call_takes_mask(self):
            kwargs["mask"] = mask
        previous = explicit if explicit is not None else mask
        outputs = self._eager_call(inputs, **kwargs)
        out_mask = getattr(outputs, "_keras_mask", None)
        if out_mask is not None:
            return outputs, out_mask
        if self.supports_masking:
            return outputs, self.compute_mask(_mask_inputs(inputs), previous)
        if _any_mask(previous):
            import warnings

            warnings.warn(
                f"Layer '{self.name}' (of type {type(self).__name__}) was "
                "passed an input with a mask attached to it. However, this "
                "layer does not support masking and will therefore destroy "
                "the mask information. Downstream layers will not see the mask."
            )
        return outputs, None

    # --- graph ------------------------------------------------------------------
    def _node_attribute(self, attribute):
        if not self._inbound_nodes:
            raise ValueError(
                f"The layer {self.name} has never been called and thus has no "
                f"defined {attribute}."
            )
        node = self._inbound_nodes[0]
        return node.outputs if attribute == "output" else (
            node.input_tensors[0] if len(node.input_tensors) == 1
            else node.input_tensors)

    @property
    def output(self):
        """The symbolic output of the layer's first call (as Keras)."""
        return self._node_attribute("output")

    @property
    def input(self):
        """The symbolic input of the layer's first call (as Keras)."""
        return self._node_attribute("input")

    # --- config ---------------------------------------------------------------
    def get_config(self):
        """The layer's Keras 3 config (dtype as a DTypePolicy dict)."""
        from keraslite import regularizers

        config = {
            "name": self.name,
            "trainable": self.trainable,
            "dtype": dtype_policy_config(self.dtype),
        }
        if self.activity_regularizer is not None:
            config["activity_regularizer"] = regularizers.serialize(
                self.activity_regularizer
            )
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


def _as_tensor(x):
    return x if isinstance(x, autodiff.Tensor) else autodiff.Tensor(x)


def number_call(layer, state):
    """Numbers this call of `layer` within the current pass (see `_buffer`):
    a layer called twice in one pass keeps two sets of buffers."""
    d = layer.__dict__  # plain dict access: this runs once per layer call
    if d["_pass"] != state["pass"]:
        d["_pass"], d["_slot"] = state["pass"], 0
    else:
        d["_slot"] += 1


def _owned_array(x):
    value = autodiff.value_of(x)
    return np.array(value) if isinstance(value, np.ndarray) else value


def _freeze(shape):
    """Shapes as tuples (lists of shapes stay lists)."""
    if isinstance(shape, dict):
        return {k: _freeze(v) for k, v in shape.items()}
    if isinstance(shape, (list, tuple)) and shape and \
            isinstance(shape[0], (list, tuple, dict)):
        return [_freeze(s) for s in shape]
    return tuple(shape)


def _is_shape(shape):
    return isinstance(shape, (tuple, list)) and all(
        d is None or isinstance(d, (int, np.integer)) for d in shape)


def map_shapes(fn, shapes):
    """`fn` applied to each shape of a shape or a nested list/dict of shapes."""
    if isinstance(shapes, dict):
        return {k: map_shapes(fn, v) for k, v in shapes.items()}
    if _is_shape(shapes):
        return fn(tuple(shapes))
    return [map_shapes(fn, s) for s in shapes]


def _accepts(layer, name):
    import inspect

    params = inspect.signature(type(layer).call).parameters
    return name in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


def _carried_mask(inputs):
    """The mask a Tensor input (or each of a list's) carries, or None."""
    if isinstance(inputs, autodiff.Tensor):
        return inputs._keras_mask
    if isinstance(inputs, (list, tuple)):
        masks = [_carried_mask(x) for x in inputs]
        return masks if _any_mask(masks) else None
    return None


def _any_mask(mask):
    if isinstance(mask, (list, tuple)):
        return any(_any_mask(m) for m in mask)
    return mask is not None


def _mask_inputs(inputs):
    """Arrays for `compute_mask` (the values of Tensors)."""
    if isinstance(inputs, (list, tuple)):
        return [autodiff.value_of(x) for x in inputs]
    return autodiff.value_of(inputs)


def _call_takes(layer, name):
    """Whether the layer's `call` takes the argument `name` (cached per class)."""
    import inspect

    cls = type(layer)
    cache = cls.__dict__.get("_call_takes_cache")
    if cache is None:
        cache = {}
        cls._call_takes_cache = cache
    takes = cache.get(name)
    if takes is None:
        params = inspect.signature(cls.call).parameters
        takes = name in params or any(
            p.kind is p.VAR_KEYWORD for p in params.values())
        cache[name] = takes
    return takes


def _call_takes_mask(layer):
    return _call_takes(layer, "mask")


def _accepts_training(layer):
    # NOTE: one dict lookup, as it runs at every layer call of the hot loop.
    cls = type(layer)
    cached = cls.__dict__.get("_call_takes_training")
    if cached is None:
        cached = _call_takes(layer, "training")
        cls._call_takes_training = cached
    return cached


def dtype_policy_config(name):
    """Keras 3's config of the dtype policy `name` (e.g. "float32")."""
    return {
        "module": "keras",
        "class_name": "DTypePolicy",
        "config": {"name": name},
        "registered_name": None,
    }


def _check_dtype(dtype):
    if isinstance(dtype, dict):  # Keras 3 DTypePolicy config
        dtype = dtype.get("config", {}).get("name", dtype)
    dtype = dtype or backend.floatx()
    if dtype != "float32" and dtype != backend.floatx():
        raise ValueError(
            f"keraslite computes in float32 only. Received: dtype={dtype}"
        )
    return str(dtype)


def _input_shape_from_kwargs(kwargs):
    if kwargs.get("batch_input_shape") is not None:
        return tuple(kwargs["batch_input_shape"])[1:]
    if kwargs.get("input_shape") is not None:
        return tuple(kwargs["input_shape"])
    if kwargs.get("input_dim") is not None:
        return (int(kwargs["input_dim"]),)
    return None
