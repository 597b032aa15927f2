"""Sequential: a linear stack of layers with Keras's training API.

One training step (see `_train_step`): each layer's forward in order,
the loss value and its gradient, each layer's backward in reverse, the
optimizer's update, then the metrics. When the last layer ends in softmax
(sigmoid) and the loss is categorical (binary) crossentropy, the loss is
computed from that layer's logits, as Keras's TensorFlow backend does, so
the gradient entering the last layer is the fused `softmax(z) - y`.
"""
import numpy as np

from keraslite import activations, backend
from keraslite import callbacks as callbacks_module
from keraslite import layers as layers_module
from keraslite import losses as losses_module
from keraslite import metrics as metrics_module
from keraslite import optimizers as optimizers_module
from keraslite.layers.input_layer import InputLayer, KerasTensor
from keraslite.layers.layer import Layer, dtype_policy_config
from keraslite.models import data as data_utils
from keraslite.models import interrupt as interrupt_module
from keraslite.utils.naming import unique_name


class Sequential:
    """A linear stack of layers.

    Args:
        layers: Optional list of layers (an `Input(...)` may come first).
        trainable: Whether the model's weights are trained.
        name: Model name (`sequential`, `sequential_1`, ... by default).

    Example:
    >>> model = Sequential([Input((784,)), Dense(10, activation="softmax")])
    >>> model.compile("rmsprop", "categorical_crossentropy", ["accuracy"])
    """

    def __init__(self, layers=None, trainable=True, name=None):
        self.name = name or unique_name("sequential")
        self.trainable = trainable
        self._input_layer = None
        self._layers = []
        self.built = False
        self.compiled = False
        self.optimizer = None
        self.loss = None
        self.stop_training = False
        self.history = None
        self._compile_metrics = []
        self._loss_tracker = None
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
            self._maybe_build()
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
        self._maybe_build()

    def pop(self):
        """Removes and returns the last layer."""
        if not self._layers:
            raise TypeError("There are no layers in the model.")
        layer = self._layers.pop()
        self.built = False
        self._maybe_build()
        return layer

    @property
    def layers(self):
        """The layers, without the InputLayer (as in Keras 3)."""
        return list(self._layers)

    def _maybe_build(self):
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
        self._plan_training()

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

    def _require_built(self, what):
        if not self.built:
            raise ValueError(
                f"Sequential model '{self.name}' has no defined input shape "
                f"yet, so `{what}` is unknown. Add an Input, or call the "
                "model (fit, predict, build) on data first."
            )

    # --- weights ---------------------------------------------------------------
    @property
    def weights(self):
        """All weights (Variables), layer by layer."""
        return [w for layer in self._layers for w in layer.weights]

    @property
    def trainable_weights(self):
        """The weights the optimizer updates."""
        if not self.trainable:
            return []
        return [w for layer in self._layers for w in layer.trainable_weights]

    @property
    def non_trainable_weights(self):
        """The weights the optimizer leaves alone."""
        if not self.trainable:
            return self.weights
        return [w for layer in self._layers for w in layer.non_trainable_weights]

    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights
    variables = weights

    def get_weights(self):
        """Copies of all weights, layer by layer (kernel, bias, ...)."""
        return [w.numpy() for w in self.weights]

    def set_weights(self, weights):
        """Sets all weights from a list of arrays; all or nothing."""
        weights = list(weights)
        variables = self.weights
        if len(weights) != len(variables):
            raise ValueError(
                f"You called `set_weights(weights)` on model '{self.name}' "
                f"with a weight list of length {len(weights)}, but the model "
                f"was expecting {len(variables)} weights."
            )
        for var, value in zip(variables, weights):
            if np.shape(value) != var.shape:
                raise ValueError(
                    f"Weight shape mismatch for '{var.path}': expected "
                    f"{var.shape}, received {np.shape(value)}."
                )
        for var, value in zip(variables, weights):
            var.value[...] = value

    def count_params(self):
        """Number of scalars in all weights."""
        self._require_built("count_params")
        return int(sum(layer.count_params() for layer in self._layers))

    @property
    def losses(self):
        """Regularisation penalties of all layers' weights."""
        return [loss for layer in self._layers for loss in layer.losses]

    # --- compile -----------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None,
                metrics=None, weighted_metrics=None, run_eagerly=False,
                steps_per_execution=1, jit_compile="auto", auto_scale_loss=True):
        """Configures the model for training.

        Args:
            optimizer: Name ("rmsprop", "sgd", "adam") or optimizer object.
            loss: Name, function or Loss object.
            loss_weights: A float (or a one-element list or dict) scaling
                the loss, as for a single-output Keras model.
            metrics: List of metric names, functions or Metric objects;
                "accuracy" is resolved from the loss and shapes as in Keras.
            weighted_metrics: Metrics that also receive sample weights.
            run_eagerly, steps_per_execution, jit_compile, auto_scale_loss:
                Accepted for Keras compatibility; keraslite always runs
                eagerly.
        """
        self.optimizer = optimizers_module.get(optimizer)
        if loss is None:
            raise ValueError(
                "keraslite needs a `loss` to train: pass e.g. "
                "loss='categorical_crossentropy' to compile()."
            )
        self.loss = loss
        self._loss_object = losses_module.as_loss_object(loss)
        self.loss_weights = loss_weights
        self._loss_weight = _single_loss_weight(loss_weights)
        self._metric_identifiers = list(_as_list(metrics))
        self._weighted_metric_identifiers = list(_as_list(weighted_metrics))
        self._compile_metrics = []
        self._loss_tracker = metrics_module.Mean(name="loss")
        self.compiled = True
        self._plan_training()

    def _plan_training(self):
        """Decides the fused logits path for the current layers and loss."""
        self._fused = False
        if not self.compiled or not self._layers:
            return
        last = self._layers[-1]
        wanted = getattr(self._loss_object, "logits_activation", None)
        activation = getattr(last, "activation", None)
        self._fused = (
            isinstance(last, (layers_module.Dense, layers_module.Activation))
            and wanted is not None
            and activation is activations.get(wanted)
            and last.activity_regularizer is None
        )

    def _ensure_metrics(self, y, y_pred_shape):
        """Creates the compiled metrics once the label shape is known."""
        if self._compile_metrics or not (
            self._metric_identifiers or self._weighted_metric_identifiers
        ):
            return
        self._compile_metrics = [
            (metrics_module.resolve(m, y.shape, y_pred_shape), False)
            for m in self._metric_identifiers
        ] + [
            (metrics_module.resolve(m, y.shape, y_pred_shape), True)
            for m in self._weighted_metric_identifiers
        ]

    @property
    def metrics(self):
        """The loss tracker followed by the compiled metrics."""
        out = [self._loss_tracker] if self._loss_tracker is not None else []
        return out + [m for m, _ in self._compile_metrics]

    @property
    def metrics_names(self):
        """["loss", "compile_metrics"] as in Keras 3 (see `metrics` for objects)."""
        names = ["loss"] if self._loss_tracker is not None else []
        if self._compile_metrics:
            names.append("compile_metrics")
        return names

    def reset_metrics(self):
        """Resets the loss tracker and every compiled metric."""
        for m in self.metrics:
            m.reset_state()

    def _require_compiled(self):
        if not self.compiled:
            raise ValueError("You must call `compile()` before using the model.")

    # --- forward and backward ------------------------------------------------------
    def _check_input(self, x):
        """Builds from `x` if needed; returns `x` fitted to the input rank.

        As Keras: one extra trailing axis of size 1 is squeezed, and a
        missing last axis is added when the model expects size 1 there.
        """
        if not self.built:
            self.build((None,) + x.shape[1:])
        expected = self._input_layer.batch_shape[1:]
        shape = x.shape
        if x.ndim == len(expected) + 2 and x.shape[-1] == 1:
            x = x[..., 0]
        elif x.ndim == len(expected) and expected and expected[-1] == 1:
            x = x[..., None]
        received = x.shape[1:]
        if len(expected) != len(received) or any(
            e is not None and e != r for e, r in zip(expected, received)
        ):
            first = self._layers[0].name if self._layers else self.name
            raise ValueError(
                f"Input 0 of layer '{first}' is incompatible with the layer: "
                f"expected shape {(None,) + tuple(expected)}, but received "
                f"input with shape {shape}"
            )
        return x

    def _forward(self, x, training, logits=False):
        """Runs the layers; with `logits`, the last Dense skips its activation."""
        last = len(self._layers) - 1
        self._activity_loss = 0.0
        self._activity_outputs = {}
        for i, layer in enumerate(self._layers):
            if i == last and logits:
                x = layer.forward(x, training=training, logits=True)
            else:
                x = layer.forward(x, training=training)
            if layer.activity_regularizer is not None:
                # As Keras: the penalty of the output, divided by batch size.
                self._activity_loss += layer.activity_regularizer(x) / len(x)
                self._activity_outputs[i] = x
        return x

    def _loss_and_predictions(self, x, y, sample_weight, training):
        """Forward pass, loss value (with penalties) and its output gradient."""
        out = self._forward(x, training, logits=self._fused)
        loss_object = self._loss_object
        value, grad = loss_object.value_and_grad(
            y, out, sample_weight, from_logits=self._fused
        )
        if self._loss_weight != 1.0:
            value = value * np.float32(self._loss_weight)
            grad *= np.float32(self._loss_weight)
        if self._fused:
            y_pred = self._layers[-1].activation(out)
        else:
            y_pred = out
        penalty = sum(self.losses) + self._activity_loss
        return np.float32(value + penalty), grad, y_pred

    def _backward(self, grad):
        last = len(self._layers) - 1
        needs = self._needs_input_grad()
        for i in range(last, -1, -1):
            layer = self._layers[i]
            if i in self._activity_outputs:
                output = self._activity_outputs[i]
                reg = layer.activity_regularizer
                grad = grad + reg.gradient(output) / np.float32(len(output))
            kwargs = {"from_logits": True} if (i == last and self._fused) else {}
            grad = layer.backward(grad, need_input_grad=needs[i], **kwargs)
            if not needs[i]:
                break

    def _needs_input_grad(self):
        """needs[i]: whether any layer below layer i has trainable weights."""
        needs, below = [], False
        for layer in self._layers:
            needs.append(below)
            below = below or bool(layer.trainable_weights and self.trainable)
        return needs

    def _train_step(self, x, y, sample_weight):
        loss, grad, y_pred = self._loss_and_predictions(x, y, sample_weight, True)
        self._backward(grad)
        variables = self.trainable_weights
        grads = [g for layer in self._layers for g in layer.gradients]
        if variables:
            self.optimizer.apply(grads, variables)
        self._update_metrics(loss, y, y_pred, sample_weight, len(x))

    def _test_step(self, x, y, sample_weight):
        loss, _, y_pred = self._loss_and_predictions(x, y, sample_weight, False)
        self._update_metrics(loss, y, y_pred, sample_weight, len(x))

    def _update_metrics(self, loss, y, y_pred, sample_weight, batch_size):
        self._loss_tracker.update_state(loss, sample_weight=batch_size)
        for metric, weighted in self._compile_metrics:
            metric.update_state(y, y_pred, sample_weight if weighted else None)

    def _logs(self):
        """Current metric results, sorted by name as Keras's logs are."""
        logs = {m.name: float(m.result()) for m in self.metrics}
        return dict(sorted(logs.items()))

    def _ordered_results(self, logs):
        """[loss, *compiled metrics] in compile order (or just the loss)."""
        values = [logs[m.name] for m in self.metrics]
        return values[0] if len(values) == 1 else values

    # --- data -----------------------------------------------------------------------
    def _standardize(self, x, y=None, sample_weight=None):
        """Converts and checks x, y and sample_weight once per call.

        Raises before any training step: missing or non-numeric data,
        different numbers of samples, NaN/Inf values, inputs or labels
        whose shape does not fit the model and loss.
        """
        x = data_utils.require(data_utils.to_array(x, "x"), "x")
        y = data_utils.to_array(y, "y")
        sample_weight = data_utils.to_array(sample_weight, "sample_weight")
        if y is None:
            raise ValueError(
                "Missing target data `y`: fit/evaluate need labels for x."
            )
        data_utils.check_cardinality(x=x, y=y, sample_weight=sample_weight)
        data_utils.check_finite(x, "x")
        data_utils.check_finite(y, "y")
        data_utils.check_finite(sample_weight, "sample_weight")
        x = self._check_input(x)
        if y is not None:
            self._check_targets(y)
        data_utils.check_sample_weight(sample_weight, self.output_shape)
        return x, y, sample_weight

    def _check_targets(self, y):
        """Raises early, with a hint, when labels do not fit the loss."""
        out_shape = self.output_shape
        fn = getattr(self._loss_object, "fn", None)
        if fn is losses_module.categorical_crossentropy and (
            y.ndim != len(out_shape) or y.shape[-1] != out_shape[-1]
        ):
            hint = ""
            if y.ndim == len(out_shape) - 1 or (y.ndim == len(out_shape)
                                                and y.shape[-1] == 1):
                hint = (
                    " It looks like integer class labels: one-hot encode them "
                    "with `keraslite.utils.to_categorical(y)` or use "
                    "loss='sparse_categorical_crossentropy'."
                )
            raise ValueError(
                "Arguments `target` and `output` must have the same shape. "
                f"Received: target.shape={(None,) + y.shape[1:]}, "
                f"output.shape={out_shape} for loss categorical_crossentropy."
                + hint
            )
        if fn is losses_module.sparse_categorical_crossentropy:
            labels = y.reshape(len(y), -1)
            if labels.shape[1] != 1 and y.ndim >= len(out_shape):
                raise ValueError(
                    "sparse_categorical_crossentropy expects integer labels of "
                    f"shape (batch,) or (batch, 1); received y of shape "
                    f"{y.shape}. For one-hot labels use "
                    "loss='categorical_crossentropy'."
                )
            if labels.size and (labels.min() < 0 or labels.max() >= out_shape[-1]
                                or np.any(labels != np.floor(labels))):
                raise ValueError(
                    "sparse_categorical_crossentropy expects integer labels in "
                    f"[0, {out_shape[-1]}); received values from {labels.min()} "
                    f"to {labels.max()}."
                )
        if fn in (losses_module.binary_crossentropy,
                  losses_module.mean_squared_error,
                  losses_module.mean_absolute_error):
            y_shape = y.shape[1:]
            out = tuple(out_shape[1:])
            if y_shape != out and not (
                (y_shape == () and out == (1,)) or (y_shape == (1,) and out == ())
            ):
                raise ValueError(
                    f"Labels of shape {y.shape} do not match the model output "
                    f"shape {out_shape} for loss {fn.__name__}."
                )

    # --- fit ----------------------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto",
            callbacks=None, validation_split=0.0, validation_data=None,
            shuffle=True, class_weight=None, sample_weight=None,
            initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1):
        """Trains the model for a fixed number of epochs.

        Args:
            x, y: Inputs and targets (arrays or nested lists).
            batch_size: Samples per gradient update (32).
            epochs: Index of the last epoch to train.
            verbose: "auto" (1), 0 silent, 1 progress bar, 2 one line/epoch.
            callbacks: List of `keraslite.callbacks.Callback`.
            validation_split: Fraction of the data (taken from the end,
                before shuffling) used for validation.
            validation_data: `(x_val, y_val)` or `(x_val, y_val, weights)`.
            shuffle: Reshuffle the samples every epoch.
            class_weight: `{class: weight}` applied as sample weights.
            sample_weight: Per-sample loss weights.
            initial_epoch: Epoch at which to start (to resume training).
            steps_per_epoch: Cap on batches per epoch.
            validation_steps: Cap on validation batches (all by default).
            validation_batch_size: Batch size of validation (batch_size).
            validation_freq: Validate every this many epochs.

        Returns:
            A `History` whose `history` maps each metric to its per-epoch
            values.

        Raises:
            ValueError, TypeError: Bad data or arguments, before training.
            KeyboardInterrupt: On Ctrl-C (in the main thread), re-raised
                after the batch in progress has finished: the weights and
                optimizer state are those of a whole number of steps,
                `model.history` holds the completed epochs and every
                callback's `on_train_end` has run. A second Ctrl-C stops
                at once.
        """
        self._require_compiled()
        batch_size = data_utils.check_batch_size(batch_size)
        validation_batch_size = data_utils.check_batch_size(
            validation_batch_size, "validation_batch_size", default=batch_size
        )
        _check_epochs(epochs, initial_epoch)
        data_utils.check_validation_split(validation_split)
        x, y, sample_weight = self._standardize(x, y, sample_weight)
        if validation_data is not None:  # validation_split is then ignored
            validation_data = self._unpack_validation(validation_data)
        elif validation_split:
            (x, y, sample_weight), validation_data = (
                data_utils.train_validation_split((x, y, sample_weight),
                                                  validation_split)
            )
        sample_weight = data_utils.apply_class_weight(y, sample_weight,
                                                      class_weight)
        n = len(x)
        steps = data_utils.num_batches(n, batch_size, steps_per_epoch)
        self._ensure_metrics(y, self.output_shape)

        callback_list = callbacks_module.CallbackList(
            callbacks, add_history=True, add_progbar=verbose != 0, model=self,
            verbose=verbose, epochs=epochs, steps=steps,
        )
        self.stop_training = False
        gatherer = data_utils.BatchGatherer((x, y, sample_weight), batch_size)
        # NOTE: Ctrl-C only sets `stop_training` (see models/interrupt.py), so
        # a step's update is never cut in half; fit re-raises it at the end.
        with interrupt_module.DeferredInterrupt(self) as interrupt:
            callback_list.on_train_begin()
            epoch_logs = {}  # logs of the last completed epoch
            try:
                for epoch in range(initial_epoch, epochs):
                    self.reset_metrics()
                    callback_list.on_epoch_begin(epoch)
                    order = backend.rng().permutation(n) if shuffle else None
                    step = -1
                    for step in range(steps):
                        start = step * batch_size
                        stop = min(start + batch_size, n)
                        if order is None:
                            xb, yb = x[start:stop], y[start:stop]
                            swb = None if sample_weight is None else sample_weight[start:stop]
                        else:
                            xb, yb, swb = gatherer.gather(order[start:stop])
                        callback_list.on_train_batch_begin(step)
                        self._train_step(xb, yb, swb)
                        logs = self._logs()
                        callback_list.on_train_batch_end(step, logs)
                        if self.stop_training:
                            break
                    if interrupt.requested and step < steps - 1:
                        break  # an interrupted epoch is not recorded
                    logs = self._logs()
                    if validation_data is not None and (epoch + 1) % validation_freq == 0:
                        vx, vy, vsw = validation_data
                        val_logs = self.evaluate(
                            vx, vy, sample_weight=vsw,
                            batch_size=validation_batch_size, verbose=0,
                            steps=validation_steps,
                            return_dict=True, _callbacks=callback_list,
                            _standardized=True,
                        )
                        logs.update({"val_" + k: v for k, v in val_logs.items()})
                    callback_list.on_epoch_end(epoch, logs)
                    epoch_logs = logs
                    if self.stop_training:
                        break
                if interrupt.requested:
                    raise KeyboardInterrupt
            except KeyboardInterrupt:
                # From Ctrl-C (after a whole step) or from a callback: the
                # model keeps the completed epochs; callbacks are told.
                self.stop_training = True
                callback_list.on_train_end(epoch_logs)
                raise
            callback_list.on_train_end(epoch_logs)
        return self.history

    def _unpack_validation(self, validation_data):
        if not isinstance(validation_data, (tuple, list)) or \
                len(validation_data) not in (2, 3):
            detail = type(validation_data).__name__
            if isinstance(validation_data, (tuple, list)):
                detail += f" of {len(validation_data)} elements"
            raise ValueError(
                "`validation_data` should be a tuple `(x_val, y_val)` or "
                "`(x_val, y_val, val_sample_weights)`. Received: "
                f"validation_data={detail}"
            )
        vx, vy, *rest = validation_data
        vsw = rest[0] if rest else None
        return self._standardize(vx, vy, vsw)

    # --- evaluate / predict -----------------------------------------------------------------
    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto",
                 sample_weight=None, steps=None, callbacks=None,
                 return_dict=False, **kwargs):
        """Returns the loss and metrics of the model on the given data.

        Returns:
            A scalar loss when no metrics are compiled, else
            `[loss, *metrics]` in compile order, or a dict with
            `return_dict=True`.
        """
        self._require_compiled()
        batch_size = data_utils.check_batch_size(batch_size)
        internal = kwargs.pop("_callbacks", None)
        standardized = kwargs.pop("_standardized", False)  # fit's validation
        if kwargs:
            raise ValueError(f"Arguments not recognized: {kwargs}")
        if not standardized:
            x, y, sample_weight = self._standardize(x, y, sample_weight)
        self._ensure_metrics(y, self.output_shape)
        n = len(x)
        num = data_utils.num_batches(n, batch_size, steps)
        if internal is not None:
            callback_list = internal
        else:
            callback_list = callbacks_module.CallbackList(
                callbacks, add_progbar=verbose != 0, model=self,
                verbose=verbose, epochs=1, steps=num,
            )
        self.reset_metrics()
        callback_list.on_test_begin()
        for step in range(num):
            start, stop = step * batch_size, min((step + 1) * batch_size, n)
            swb = None if sample_weight is None else sample_weight[start:stop]
            callback_list.on_test_batch_begin(step)
            self._test_step(x[start:stop], y[start:stop], swb)
            callback_list.on_test_batch_end(step, self._logs())
        logs = self._logs()
        callback_list.on_test_end(logs)
        if return_dict:
            return logs
        return self._ordered_results(logs)

    def predict(self, x, batch_size=None, verbose="auto", steps=None,
                callbacks=None):
        """Returns the model's outputs for `x`, computed batch by batch."""
        batch_size = data_utils.check_batch_size(batch_size)
        x = data_utils.require(data_utils.to_array(x, "x"), "x")
        data_utils.check_cardinality(x=x)
        data_utils.check_finite(x, "x")
        x = self._check_input(x)
        n = len(x)
        num = data_utils.num_batches(n, batch_size, steps)
        if num == 1 and verbose == 0 and not callbacks:
            # Fast path for one silent batch (e.g. a single sample).
            return self._forward(x, training=False).copy()
        callback_list = callbacks_module.CallbackList(
            callbacks, add_progbar=verbose != 0, model=self,
            verbose=verbose, epochs=1, steps=num,
        )
        out = np.empty((min(n, num * batch_size),) + tuple(self.output_shape[1:]),
                       dtype=backend.floatx())
        callback_list.on_predict_begin()
        for step in range(num):
            start, stop = step * batch_size, min((step + 1) * batch_size, n)
            callback_list.on_predict_batch_begin(step)
            out[start:stop] = self._forward(x[start:stop], training=False)
            callback_list.on_predict_batch_end(step, {"outputs": out[start:stop]})
        callback_list.on_predict_end()
        return out

    def __call__(self, x, training=False):
        """Runs the model on `x` and returns a new array.

        The fastest path (no NaN/Inf scan, no batching): use it for a few
        samples at a time.
        """
        x = data_utils.require(data_utils.to_array(x, "x"), "x")
        x = self._check_input(x)
        return self._forward(x, training=bool(training)).copy()

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None,
                       return_dict=False):
        """One gradient update on one batch; returns the batch's loss/metrics."""
        self._require_compiled()
        x, y, sample_weight = self._standardize(x, y, sample_weight)
        sample_weight = data_utils.apply_class_weight(y, sample_weight,
                                                      class_weight)
        self._ensure_metrics(y, self.output_shape)
        self.reset_metrics()
        self._train_step(x, y, sample_weight)
        logs = self._logs()
        return logs if return_dict else self._ordered_results(logs)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        """Loss and metrics on one batch, without updating weights."""
        self._require_compiled()
        x, y, sample_weight = self._standardize(x, y, sample_weight)
        self._ensure_metrics(y, self.output_shape)
        self.reset_metrics()
        self._test_step(x, y, sample_weight)
        logs = self._logs()
        return logs if return_dict else self._ordered_results(logs)

    def predict_on_batch(self, x):
        """The model's outputs on one batch."""
        x = data_utils.require(data_utils.to_array(x, "x"), "x")
        return self.predict(x, batch_size=max(1, len(x)), verbose=0)

    # --- summary and config ---------------------------------------------------------------
    def summary(self, line_length=None, positions=None, print_fn=None,
                expand_nested=False, show_trainable=False, layer_range=None):
        """Prints Keras's table of layers, output shapes and parameter counts.

        Args:
            line_length: Total width of the table (76 by default, as Keras
                prints in an 80-column terminal).
            print_fn: Called with each line (default `print`).
            positions, expand_nested, show_trainable, layer_range: Accepted
                for Keras compatibility and not used yet (a Sequential has
                no nested models; the extra column and layer selection are
                not drawn).
        """
        from keraslite.utils.summary import print_summary

        print_summary(self, line_length=line_length, print_fn=print_fn)

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

    # --- saving -----------------------------------------------------------------------------
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


def _as_list(value):
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return value
    return [value]


def _single_loss_weight(loss_weights):
    """The scale of the loss for a single-output model."""
    if loss_weights is None:
        return 1.0
    value = loss_weights
    if isinstance(value, dict) and len(value) == 1:
        value = next(iter(value.values()))
    elif isinstance(value, (list, tuple)) and len(value) == 1:
        value = value[0]
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)):
        raise ValueError(
            "Expected `loss_weights` to be a float (or a one-element list or "
            f"dict of floats) for a single-output model. Received: "
            f"loss_weights={loss_weights!r}. Note that compile's third "
            "positional argument is `loss_weights`; pass metrics by keyword: "
            "compile(optimizer, loss, metrics=[...])."
        )
    return float(value)


def _check_epochs(epochs, initial_epoch):
    for name, value in (("epochs", epochs), ("initial_epoch", initial_epoch)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(
                f"Argument `{name}` must be an integer. Received: "
                f"{name}={value!r} (of type {type(value).__name__})"
            )
    if epochs < 0:
        raise ValueError(
            f"Argument `epochs` must be a non-negative integer. Received: "
            f"epochs={epochs}"
        )
    if initial_epoch < 0 or initial_epoch > epochs:
        raise ValueError(
            "Argument `initial_epoch` must be between 0 and `epochs`. "
            f"Received: initial_epoch={initial_epoch}, epochs={epochs}"
        )
