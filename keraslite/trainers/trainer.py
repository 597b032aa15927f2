"""compile / fit / evaluate / predict, one implementation for every model.

One training step (`_train_step`): the model's forward pass recorded on a
tape, each output's loss value and its gradient, the tape's backward, the
optimizer's update, then the metrics. When an output comes straight from
a softmax (sigmoid) layer and its loss is categorical (binary)
crossentropy, the loss is computed from that layer's logits, as Keras's
TensorFlow backend does, so the gradient entering the layer is the fused
`softmax(z) - y`. The training, test and predict steps flush subnormal
floats to zero, as TensorFlow's and XLA's CPU kernels do
(`keraslite.utils.denormal`).

Data is handled as flat lists: one array per model input, one per output.
"""
import time

import numpy as np

from keraslite import autodiff, backend
from keraslite import callbacks as callbacks_module
from keraslite import losses as losses_module
from keraslite import metrics as metrics_module
from keraslite import optimizers as optimizers_module
from keraslite.models import data as data_utils
from keraslite.models import interrupt as interrupt_module
from keraslite.ops.node import flatten
from keraslite.trainers import blas_threads, data_adapters
from keraslite.trainers import epoch_iterator as epoch_iterator_module
from keraslite.trainers.compile_utils import CompiledOutputs
from keraslite.trainers.data_adapters import data_adapter_utils
from keraslite.utils.denormal import flush_denormals


class Trainer:
    """The training API of `Model`; the model supplies its forward pass."""

    def _init_trainer(self):
        self.compiled = False
        self.optimizer = None
        self.loss = None
        self.loss_weights = None
        self.stop_training = False
        self.history = None
        self._compiled = None
        self._loss_tracker = None
        self._output_loss_trackers = []

    # --- compile -----------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None,
                metrics=None, weighted_metrics=None, run_eagerly=False,
                steps_per_execution=1, jit_compile="auto", auto_scale_loss=True):
        """Configures the model for training.

        Args:
            optimizer: Name ("rmsprop", "sgd", "adam") or optimizer object.
            loss: Name, function or Loss object; for several outputs also a
                list (one per output) or a dict keyed by output name.
            loss_weights: Scale of each output's loss (a float, list or dict).
            metrics: Metric names, functions or objects: a list, or for
                several outputs a list of lists or a dict keyed by output
                name. "accuracy" is resolved from the loss and shapes.
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
        self.loss_weights = loss_weights
        self._compile_args = (loss, loss_weights, metrics, weighted_metrics)
        self._metric_identifiers = metrics
        self._weighted_metric_identifiers = weighted_metrics
        self._compiled = None
        self._loss_tracker = metrics_module.Mean(name="loss")
        self.compiled = True
        if self._output_names_known():
            self._compile_outputs()

    def get_compile_config(self):
        """The arguments `compile()` was given, in the form Keras writes them
        to files (`compile_config`); `{}` if the model is not compiled."""
        if not self.compiled:
            return {}
        from keraslite.trainers import compile_config

        return compile_config.get_compile_config(self)

    def compile_from_config(self, config):
        """Compiles the model from a `get_compile_config()` dict (or one read
        from a Keras file). Returns False, leaving the model uncompiled, when
        the config has no loss."""
        from keraslite.trainers import compile_config

        return compile_config.compile_from_config(self, config)

    def _compile_outputs(self):
        """Maps the compile arguments onto the outputs (once they are known)."""
        if self._compiled is None:
            names = self.output_names
            self._compiled = CompiledOutputs(*self._compile_args, names=names)
            self._output_loss_trackers = [
                metrics_module.Mean(name=f"{name}_loss") if loss is not None else None
                for name, loss in zip(names, self._compiled.losses)
            ] if len(names) > 1 else []
        return self._compiled

    @property
    def _loss_object(self):
        """The loss of a single-output model (used by the data checks)."""
        return self._compile_outputs().losses[0]

    def _ensure_metrics(self, ys, pred_shapes):
        self._compile_outputs().build_metrics([y.shape for y in ys], pred_shapes)

    @property
    def metrics(self):
        """The loss tracker(s) followed by the compiled metrics."""
        out = [self._loss_tracker] if self._loss_tracker is not None else []
        out += [t for t in self._output_loss_trackers if t is not None]
        compiled = self._compiled
        if compiled is not None and compiled.metrics:
            out += [m for _, m, _ in compiled.metrics]
        return out

    @property
    def metrics_names(self):
        """["loss", "compile_metrics", ...] as in Keras 3."""
        names = ["loss"] if self._loss_tracker is not None else []
        compiled = self._compiled
        if compiled is not None and compiled.metrics:
            names.append("compile_metrics")
        names += [t.name for t in self._output_loss_trackers if t is not None]
        return names

    def reset_metrics(self):
        """Resets the loss trackers and every compiled metric."""
        for m in self.metrics:
            m.reset_state()

    def _require_compiled(self):
        if not self.compiled:
            raise ValueError("You must call `compile()` before using the model.")

    # --- one step -------------------------------------------------------------------
    def _run(self, xs, training, tape=None, with_masks=False):
        """The model's outputs (a flat list) for the checked input arrays `xs`;
        `with_masks`: also their masks (a flat list, or None without masks),
        which weight the losses and metrics as in Keras."""
        autodiff.enter_call()
        try:
            run = self._run_call_masked if with_masks else self._run_call
            if tape is None:
                outputs = run(self._pack_inputs(xs), training)
            else:
                with tape:
                    outputs = run(self._pack_inputs(xs), training)
        finally:
            autodiff.exit_call()
        if with_masks:
            return flatten(outputs[0]), outputs[1]
        return flatten(outputs)

    def _run_call_masked(self, inputs, training):
        """`_run_call` with the outputs' masks: (outputs, flat masks or None)."""
        if getattr(self, "_mask_free", False):
            return self._run_call(inputs, training), None
        if hasattr(self, "_mask_free"):  # Sequential and functional models
            outputs, masks = self._call_and_mask(inputs, None, {"training": training})
        else:  # a subclassed model: its call's outputs carry their masks
            outputs = self._run_call(inputs, training)
            masks = [getattr(o, "_keras_mask", None) for o in flatten(outputs)]
        masks = flatten(masks) if isinstance(masks, (list, tuple)) else [masks]
        return outputs, (masks if any(m is not None for m in masks) else None)

    def _run_call(self, inputs, training):
        """One call of the model from `_run` (subclassed models: a full call)."""
        return self._eager_call(inputs, training=training)

    def _losses(self, tape, outputs, ys, sws, need_grad, variables, masks=None):
        """Total loss, gradient seeds and predictions of one batch.

        `variables` are the trainable weights, whose penalties count (as
        Keras's `_get_regularization_losses`); an output's mask (`masks`)
        weights its loss as Keras's `Loss.__call__` does."""
        compiled = self._compile_outputs()
        total = np.float32(0.0)
        seeds, preds, per_output = [], [], []
        for i, out in enumerate(outputs):
            pred = autodiff.value_of(out)
            preds.append(pred)
            loss_object = compiled.losses[i]
            if loss_object is None:
                per_output.append(None)
                continue
            y = ys[i]
            sw = sws[i] if sws is not None else None
            if masks is not None and masks[i] is not None:
                sw = losses_module._apply_mask(sw, masks[i], loss_object.reduction)
            logits = self._fusable_logits(tape, out, loss_object)
            if logits is not None:
                value, grad = loss_object.value_and_grad(y, logits[1], sw,
                                                         from_logits=True)
            else:
                value, grad = loss_object.value_and_grad(y, pred, sw)
            per_output.append(np.float32(value))  # logged unweighted, as Keras
            weight = compiled.loss_weights[i]
            if weight != 1.0:
                value = value * np.float32(weight)
                grad = grad * np.float32(weight)
            total = total + value
            if need_grad and autodiff.needs_grad(out):
                if logits is not None:
                    logits[0].from_logits = True
                seeds.append((out, grad))
        penalty = sum(w.regularizer(w.value) for w in variables
                      if w.regularizer is not None)
        if tape is not None:
            for out, value, regularizer, batch in tape.penalties:
                penalty = penalty + value
                if need_grad and autodiff.needs_grad(out):
                    seeds.append((out, regularizer.gradient(out.value) / batch))
            for loss in tape.losses:
                penalty = penalty + np.sum(autodiff.value_of(loss))
                if need_grad and autodiff.needs_grad(loss):
                    seeds.append((loss, np.ones_like(autodiff.value_of(loss))))
        return np.float32(total + penalty), seeds, preds, per_output

    @staticmethod
    def _fusable_logits(tape, out, loss_object):
        """(record, logits) when the loss may read `out`'s logits, else None."""
        info = getattr(out, "logits_record", None)
        wanted = getattr(loss_object, "logits_activation", None)
        if info is None or wanted is None:
            return None
        record, logits, activation = info
        if activation is not _activation_named(wanted):
            return None
        # The logits' gradient is only right if nothing else reads `out`.
        if tape.readers(out):
            return None
        return record, logits

    def _gradients(self, tape, seeds, variables):
        """The gradient of each variable (zeros if it got none), penalties added."""
        found = tape.gradient(seeds)
        grads = []
        for var in variables:
            grad = found.get(id(var))
            if grad is None:
                grad = np.zeros_like(var.value)
            if var.regularizer is not None:
                grad = grad + var.regularizer.gradient(var.value)
            grads.append(grad)
        return grads

    def _train_step(self, xs, ys, sws, variables=None):
        if variables is None:
            variables = self.trainable_weights
        with flush_denormals():  # as TensorFlow's and XLA's CPU kernels
            tape = autodiff.Tape(watch=variables)
            outputs, masks = self._run(xs, True, tape, with_masks=True)
            loss, seeds, preds, per_output = self._losses(
                tape, outputs, ys, sws, True, variables, masks)
            grads = self._gradients(tape, seeds, variables)
            if variables:
                self.optimizer._apply_own_gradients(grads, variables)
            self._update_metrics(loss, per_output, ys, preds, sws, len(xs[0]),
                                 masks)

    def _test_step(self, xs, ys, sws):
        with flush_denormals():
            tape = autodiff.Tape()  # records only what a loss may read as logits
            outputs, masks = self._run(xs, False, tape, with_masks=True)
            loss, _, preds, per_output = self._losses(
                tape, outputs, ys, sws, False, self.trainable_weights, masks)
            self._update_metrics(loss, per_output, ys, preds, sws, len(xs[0]),
                                 masks)

    def _compute_loss_and_grads(self, x, y, sample_weight=None):
        """Loss and gradients (aligned with `trainable_weights`) of one batch.

        The training step without the update; for gradient checks.
        """
        xs, ys, sws = self._standardize(x, y, sample_weight)
        variables = self.trainable_weights
        tape = autodiff.Tape(watch=variables)
        outputs, masks = self._run(xs, True, tape, with_masks=True)
        loss, seeds, _, _ = self._losses(tape, outputs, ys, sws, True, variables,
                                         masks)
        return loss, [autodiff.dense(g) for g in self._gradients(tape, seeds,
                                                                variables)]

    def _update_metrics(self, loss, per_output, ys, preds, sws, batch_size,
                        masks=None):
        self._loss_tracker.update_state(loss, sample_weight=batch_size)
        for tracker, value in zip(self._output_loss_trackers, per_output):
            if tracker is not None:
                tracker.update_state(value, sample_weight=batch_size)
        for i, metric, weighted in self._compiled.metrics:
            sw = sws[i] if (weighted and sws is not None) else None
            if masks is not None and masks[i] is not None and \
                    isinstance(metric, metrics_module.MeanMetricWrapper):
                # As Keras's MeanMetricWrapper: the mask as 0/1 weights.
                sw = losses_module._apply_mask(sw, masks[i], "sum")
            metric.update_state(ys[i], preds[i], sw)

    def _log_names(self):
        """The logs' key of each of `self.metrics` (repeated names made unique)."""
        names = [m.name for m in self.metrics]
        compiled = self._compiled
        if compiled is not None and compiled.metrics:
            names[len(names) - len(compiled.log_names):] = compiled.log_names
        return names

    def _logs(self):
        """Current metric results, sorted by name as Keras's logs are."""
        logs = {name: _log_value(m.result())
                for name, m in zip(self._log_names(), self.metrics)}
        return dict(sorted(logs.items()))

    def _ordered_results(self, logs):
        """[loss, *per-output losses, *metrics] (or just the loss)."""
        values = [logs[name] for name in self._log_names()]
        return values[0] if len(values) == 1 else values

    # --- data -----------------------------------------------------------------------
    def _input_list(self, x, name="x"):
        """x as one array per model input (lists and dicts by input name)."""
        to_array = self._input_converter()
        if isinstance(x, np.ndarray):  # the common case: one array
            return [to_array(x, name, 0)], None
        names = self._input_names()
        if isinstance(x, dict):
            if names is None:
                return [to_array(x[k], f"{name}[{k!r}]", k) for k in x], list(x)
            missing = [n for n in names if n not in x]
            if missing:
                raise ValueError(
                    f"Missing data for input {missing[0]!r}. You passed a data "
                    f"dictionary with keys {list(x)}. Expected the following "
                    f"keys: {names}"
                )
            return [to_array(x[n], f"{name}[{n!r}]", n) for n in names], None
        count = len(names) if names is not None else None
        if isinstance(x, (list, tuple)) and (count or 1) > 1:
            if len(x) != count:
                raise ValueError(
                    f"Model '{self.name}' expects {count} input(s), but it "
                    f"received {len(x)} input arrays."
                )
            return [to_array(v, f"{name}[{i}]", i) for i, v in enumerate(x)], None
        if isinstance(x, (list, tuple)) and count is None and x and \
                all(getattr(v, "ndim", 0) >= 1 for v in x) and len(x) > 1 and \
                len({np.shape(v)[0] for v in x}) == 1 and \
                len({np.shape(v) for v in x}) > 1:
            return [to_array(v, f"{name}[{i}]", i) for i, v in enumerate(x)], None
        return [to_array(x, name, 0)], None

    def _input_converter(self):
        """`to_array(data, name, key)` for the model's inputs: an input
        declared with another dtype than floatx (`"int32"` ids for an
        Embedding, `"string"` for TextVectorization) gets its data in that
        dtype, as Keras converts it. Kept until the inputs change
        (`_reset_input_converter`)."""
        cached = self.__dict__.get("_to_array")
        if cached is not None and cached[0] == backend.floatx():
            return cached[1]
        inputs = getattr(self, "inputs", None) or []
        declared = {i: t.dtype for i, t in enumerate(inputs)
                    if getattr(t, "dtype", None) not in (None, backend.floatx())}
        if not declared:
            to_array = _plain_to_array
        else:
            names = self._input_names() or []
            declared.update({n: declared[i] for i, n in enumerate(names)
                             if i in declared})

            def to_array(data, name, key):
                return data_utils.to_array(data, name, declared.get(key))
        self._to_array = (backend.floatx(), to_array)
        return to_array

    def _reset_input_converter(self):
        self.__dict__.pop("_to_array", None)

    def _target_list(self, y, name="y"):
        """y (or sample weights) as one array per output."""
        if y is None:
            return None
        names = self.output_names
        if isinstance(y, dict):
            return [data_utils.to_array(y.get(n), f"{name}[{n!r}]") for n in names]
        if isinstance(y, (list, tuple)) and len(names) > 1:
            if len(y) != len(names):
                raise ValueError(
                    f"Model '{self.name}' has {len(names)} outputs {names}, "
                    f"but `{name}` holds {len(y)} arrays."
                )
            return [data_utils.to_array(v, f"{name}[{i}]") for i, v in enumerate(y)]
        array = data_utils.to_array(y, name)
        return [array] * len(names) if name == "sample_weight" else [array]

    def _standardize(self, x, y=None, sample_weight=None, need_y=True):
        """Converts and checks x, y and sample_weight once per call.

        Raises before any training step: missing or non-numeric data,
        different numbers of samples, NaN/Inf values, inputs or labels
        whose shape does not fit the model and loss.
        """
        if x is None:
            data_utils.require(None, "x")
        xs, keys = self._input_list(x)
        xs = [data_utils.require(v, "x") for v in xs]
        if keys is not None:
            self._input_keys = keys
        xs = self._fit_inputs(xs)
        if y is None and need_y:
            raise ValueError(
                "Missing target data `y`: fit/evaluate need labels for x."
            )
        ys = self._target_list(y)
        sws = self._target_list(sample_weight, "sample_weight")
        arrays = {f"x[{i}]" if len(xs) > 1 else "x": v for i, v in enumerate(xs)}
        for group, label in ((ys, "y"), (sws, "sample_weight")):
            for i, v in enumerate(group or []):
                if v is not None:
                    arrays[f"{label}[{i}]" if len(group) > 1 else label] = v
        data_utils.check_cardinality(**arrays)
        for label, v in arrays.items():
            data_utils.check_finite(v, label)
        if ys is not None:
            self._compile_outputs()
            shapes = self._output_shapes()
            for i, y_i in enumerate(ys):
                loss_object = self._compiled.losses[i]
                if y_i is None and loss_object is not None:
                    raise ValueError(
                        f"Missing target data for output "
                        f"{self.output_names[i]!r}, which has a loss."
                    )
                if y_i is not None and loss_object is not None:
                    _check_targets(y_i, shapes[i], loss_object)
            for i, sw in enumerate(sws or []):
                data_utils.check_sample_weight(sw, shapes[i])
        return xs, ys, sws

    # --- data sources ---------------------------------------------------------------------
    def _epoch_iterator(self, x, y=None, sample_weight=None, batch_size=None,
                        steps=None, shuffle=False, class_weight=None):
        """An EpochIterator whose batches are checked `(xs, ys, sws)` lists.

        Arrays are converted and checked once; the batches of a generator
        or PyDataset one by one, as they come.
        """
        if data_adapters.is_batch_source(x):
            adapter = data_adapters.get_data_adapter(
                x, y, sample_weight, shuffle=shuffle, class_weight=class_weight)
            adapter = data_adapters.MappedDataAdapter(adapter, self._standardize_batch)
            return epoch_iterator_module.EpochIterator(adapter, steps)
        xs, ys, sws = self._standardize(x, y, sample_weight)
        self._ensure_metrics(ys, self._output_shapes())
        return self._array_iterator(xs, ys, sws, batch_size, steps)

    def _array_iterator(self, xs, ys, sws, batch_size=None, steps=None, shuffle=False):
        """An EpochIterator over arrays already converted and checked."""
        flat, parts = _join(xs, ys, sws)
        adapter = data_adapters.ArrayDataAdapter(
            flat, batch_size=batch_size, steps=steps, shuffle=shuffle,
            split=lambda batch: _split(batch, parts))
        return epoch_iterator_module.EpochIterator(adapter, steps)

    def _standardize_batch(self, batch):
        """One batch of a generator or PyDataset as checked lists."""
        x, y, sample_weight = data_adapter_utils.unpack_x_y_sample_weight(batch)
        xs, ys, sws = self._standardize(x, y, sample_weight)
        self._ensure_metrics(ys, self._output_shapes())
        return xs, ys, sws

    # --- fit ----------------------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto",
            callbacks=None, validation_split=0.0, validation_data=None,
            shuffle=True, class_weight=None, sample_weight=None,
            initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1):
        """Trains the model for a fixed number of epochs.

        Args:
            x: Inputs: arrays (or nested lists), or for several inputs
                lists or dicts keyed by name; or a Python generator or a
                `keraslite.utils.PyDataset` yielding `(x, y)` or
                `(x, y, sample_weight)` batches (then `y` and
                `sample_weight` stay None).
            y: Targets, like `x` (arrays only).
            batch_size: Samples per gradient update (32, or
                `ceil(samples / steps_per_epoch)` when that is given).
            epochs: Index of the last epoch to train.
            verbose: "auto" (1), 0 silent, 1 progress bar, 2 one line/epoch.
            callbacks: List of `keraslite.callbacks.Callback`.
            validation_split: Fraction of the data (taken from the end,
                before shuffling) used for validation (arrays only).
            validation_data: `(x_val, y_val)`, `(x_val, y_val, weights)`,
                a generator or a PyDataset.
            shuffle: Reshuffle the samples (a PyDataset's batch order)
                every epoch; ignored, with a warning, for generators.
            class_weight: `{class: weight}` applied as sample weights.
            sample_weight: Per-sample loss weights.
            initial_epoch: Epoch at which to start (to resume training).
            steps_per_epoch: Batches per epoch. The next epoch continues
                where this one stopped. None: one pass over the data (a
                generator of unknown size runs until it is exhausted).
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
        batch_size = data_utils.check_batch_size(batch_size, default=None)
        validation_batch_size = data_utils.check_batch_size(
            validation_batch_size, "validation_batch_size", default=batch_size
        )
        _check_epochs(epochs, initial_epoch)
        data_utils.check_validation_split(validation_split)
        val_iterator = None
        if data_adapters.is_batch_source(x):
            if validation_split and validation_data is None:
                raise ValueError(
                    "Argument `validation_split` is only supported "
                    "for tensors or NumPy arrays."
                    f"Found incompatible type in the input: {[x]}"
                )
            epoch_iterator = self._epoch_iterator(
                x, y, sample_weight, shuffle=shuffle, class_weight=class_weight,
                steps=steps_per_epoch)
        else:
            xs, ys, sws = self._standardize(x, y, sample_weight)
            if validation_data is None and validation_split:
                flat, parts = _join(xs, ys, sws)
                train, val = data_utils.train_validation_split(
                    tuple(flat), validation_split)
                xs, ys, sws = _split(list(train), parts)
                val_iterator = self._array_iterator(
                    *_split(list(val), parts), batch_size=validation_batch_size,
                    steps=validation_steps)
            if class_weight is not None:
                if len(ys) > 1:
                    raise ValueError(
                        "`class_weight` is only supported for models with a "
                        "single output."
                    )
                sws = [data_utils.apply_class_weight(
                    ys[0], None if sws is None else sws[0], class_weight)]
            self._ensure_metrics(ys, self._output_shapes())
            epoch_iterator = self._array_iterator(
                xs, ys, sws, batch_size=batch_size, steps=steps_per_epoch,
                shuffle=shuffle)
        if validation_data is not None:  # validation_split is then ignored
            val_iterator = self._validation_iterator(
                validation_data, validation_batch_size, validation_steps)
        epoch_iterator.reset()

        callback_list = callbacks_module.CallbackList(
            callbacks, add_history=True, add_progbar=verbose != 0, model=self,
            verbose=verbose, epochs=epochs, steps=epoch_iterator.num_batches,
        )
        self.stop_training = False
        # NOTE: Ctrl-C only sets `stop_training` (see models/interrupt.py), so
        # a step's update is never cut in half; fit re-raises it at the end.
        with interrupt_module.DeferredInterrupt(self) as interrupt:
            callback_list.on_train_begin()
            epoch_logs = {}  # logs of the last completed epoch
            # The BLAS thread count of the loop: measured, unless the user chose.
            blas = self._blas_threads = blas_threads.BlasThreads()
            batch_hooks = callback_list.overrides(
                "on_train_batch_begin", "on_train_batch_end",
                "on_batch_begin", "on_batch_end")
            # As Keras's compiled train step, fit trains the weights that
            # were trainable when it started (`trainable` set by a callback
            # takes effect at the next fit or compile).
            variables = self.trainable_weights
            try:
                for epoch in range(initial_epoch, epochs):
                    self.reset_metrics()
                    callback_list.on_epoch_begin(epoch)
                    stopped_early = False
                    for step, (bx, by, bsw) in epoch_iterator:
                        if batch_hooks:
                            callback_list.on_train_batch_begin(step)
                        start = time.perf_counter()
                        self._train_step(bx, by, bsw, variables)
                        blas.observe(time.perf_counter() - start, len(bx[0]))
                        if batch_hooks:
                            callback_list.on_train_batch_end(step, self._logs())
                        if self.stop_training:
                            # Stopped on its last step, the epoch is complete.
                            planned = epoch_iterator.num_batches
                            stopped_early = planned is None or step < planned - 1
                            break
                    if interrupt.requested and stopped_early:
                        break  # an interrupted epoch is not recorded
                    logs = self._logs()
                    if val_iterator is not None and (epoch + 1) % validation_freq == 0:
                        val_logs = self.evaluate(
                            verbose=0, return_dict=True, _callbacks=callback_list,
                            _epoch_iterator=val_iterator,
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
            finally:
                blas.close()
            # As Keras's fit, before `on_train_end`: with `use_ema`, the
            # weights become their moving averages (a no-op otherwise). An
            # optimizer that never stepped (nor was loaded) has no averages.
            if epochs > 0 and self.optimizer.built:
                self.optimizer.finalize_variable_values(self.trainable_weights)
            callback_list.on_train_end(epoch_logs)
        return self.history

    def _validation_iterator(self, validation_data, batch_size, steps):
        """The EpochIterator of fit's `validation_data`, made once per fit."""
        if data_adapters.is_batch_source(validation_data):
            return self._epoch_iterator(validation_data, steps=steps)
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
        return self._array_iterator(*self._standardize(vx, vy, vsw),
                                    batch_size=batch_size, steps=steps)

    # --- evaluate / predict -----------------------------------------------------------------
    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto",
                 sample_weight=None, steps=None, callbacks=None,
                 return_dict=False, **kwargs):
        """Returns the loss and metrics of the model on the given data.

        `x` may also be a generator or a `PyDataset` of `(x, y)` or
        `(x, y, sample_weight)` batches; `steps` caps the batches read.

        Returns:
            A scalar loss when no metrics are compiled, else
            `[loss, *output losses, *metrics]`, or a dict with
            `return_dict=True`.
        """
        self._require_compiled()
        batch_size = data_utils.check_batch_size(batch_size, default=None)
        internal = kwargs.pop("_callbacks", None)
        epoch_iterator = kwargs.pop("_epoch_iterator", None)  # fit's validation
        if kwargs:
            raise ValueError(f"Arguments not recognized: {kwargs}")
        if epoch_iterator is None:
            epoch_iterator = self._epoch_iterator(x, y, sample_weight,
                                                  batch_size=batch_size, steps=steps)
        epoch_iterator.reset()
        if internal is not None:
            callback_list = internal
        else:
            callback_list = callbacks_module.CallbackList(
                callbacks, add_progbar=verbose != 0, model=self,
                verbose=verbose, epochs=1, steps=epoch_iterator.num_batches,
            )
        self.reset_metrics()
        callback_list.on_test_begin()
        batch_hooks = callback_list.overrides("on_test_batch_begin",
                                              "on_test_batch_end")
        for step, (bx, by, bsw) in epoch_iterator:
            if batch_hooks:
                callback_list.on_test_batch_begin(step)
            self._test_step(bx, by, bsw)
            if batch_hooks:
                callback_list.on_test_batch_end(step, self._logs())
        logs = self._logs()
        callback_list.on_test_end(logs)
        if return_dict:
            return logs
        return self._ordered_results(logs)

    def predict(self, x, batch_size=None, verbose="auto", steps=None,
                callbacks=None):
        """Returns the model's outputs for `x`, computed batch by batch.

        `x` may also be a generator or a `PyDataset` of batches (`x`,
        `(x,)` or `(x, y, ...)`, whose targets are ignored).
        """
        if verbose == 0 and batch_size is None and steps is None and \
                not callbacks:
            y = self._predict_small(x)
            if y is not None:
                return y
        if not isinstance(x, np.ndarray) and data_adapters.is_batch_source(x):
            return self._predict_batches(x, verbose, steps, callbacks)
        batch_size = data_utils.check_batch_size(batch_size, default=None)
        xs = self._predict_inputs(x)
        n = len(xs[0])
        if batch_size is None:  # as Keras's ArrayDataAdapter
            batch_size = int(np.ceil(n / steps)) if steps else 32
        num = data_utils.num_batches(n, batch_size, steps)
        if num == 1 and verbose == 0 and not callbacks:
            # Fast path for one silent batch (e.g. a single sample).
            with flush_denormals():
                outputs = self._run(xs, False)
            return self._structure_outputs([np.array(o) for o in outputs])
        callback_list = callbacks_module.CallbackList(
            callbacks, add_progbar=verbose != 0, model=self,
            verbose=verbose, epochs=1, steps=num,
        )
        outs = None
        callback_list.on_predict_begin()
        for step in range(num):
            start, stop = step * batch_size, min((step + 1) * batch_size, n)
            callback_list.on_predict_batch_begin(step)
            with flush_denormals():
                batch = self._run([v[start:stop] for v in xs], False)
            if outs is None:
                total = min(n, num * batch_size)
                outs = [np.empty((total,) + np.shape(b)[1:], dtype=np.asarray(b).dtype)
                        for b in batch]
            for out, b in zip(outs, batch):
                out[start:stop] = b
            callback_list.on_predict_batch_end(
                step, {"outputs": self._structure_outputs(
                    [o[start:stop] for o in outs])})
        callback_list.on_predict_end()
        return self._structure_outputs(outs)

    def _predict_small(self, x):
        """A model kind's shortcut for one silent batch (see Sequential's);
        None: take the general path."""
        return None

    def _predict_inputs(self, x):
        """x as checked arrays, one per model input (for predict)."""
        xs, _ = self._input_list(x)
        if len(xs) == 1:  # one input: the checks below, without their loops
            (v,) = xs
            data_utils.require(v, "x")
            if len(v) == 0:
                data_utils.check_cardinality(x=v)  # raises Keras's error
            data_utils.check_finite(v, "x")
            return self._fit_inputs(xs)
        for v in xs:
            data_utils.require(v, "x")
        data_utils.check_cardinality(**{f"x{i}": v for i, v in enumerate(xs)})
        for v in xs:
            data_utils.check_finite(v, "x")
        return self._fit_inputs(xs)

    def _predict_batches(self, x, verbose, steps, callbacks):
        """predict over a generator or PyDataset: the batches' outputs joined."""
        adapter = data_adapters.get_data_adapter(x)
        adapter = data_adapters.MappedDataAdapter(
            adapter, lambda batch: self._predict_inputs(
                data_adapter_utils.unpack_x_y_sample_weight(batch)[0]))
        epoch_iterator = epoch_iterator_module.EpochIterator(adapter, steps)
        callback_list = callbacks_module.CallbackList(
            callbacks, add_progbar=verbose != 0, model=self,
            verbose=verbose, epochs=1, steps=epoch_iterator.num_batches,
        )
        outs = None
        callback_list.on_predict_begin()
        for step, xs in epoch_iterator:
            callback_list.on_predict_batch_begin(step)
            with flush_denormals():
                batch = [np.array(o) for o in self._run(xs, False)]
            if outs is None:
                outs = [[] for _ in batch]
            for out, b in zip(outs, batch):
                out.append(b)
            callback_list.on_predict_batch_end(
                step, {"outputs": self._structure_outputs(batch)})
        callback_list.on_predict_end()
        if outs is None:
            raise ValueError(
                "The generator or PyDataset passed to `predict()` yielded no "
                "batches."
            )
        return self._structure_outputs([np.concatenate(o) for o in outs])

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None,
                       return_dict=False):
        """One gradient update on one batch; returns the batch's loss/metrics."""
        self._require_compiled()
        xs, ys, sws = self._standardize(x, y, sample_weight)
        if class_weight is not None:
            sws = [data_utils.apply_class_weight(
                ys[0], None if sws is None else sws[0], class_weight)]
        self._ensure_metrics(ys, self._output_shapes())
        self.reset_metrics()
        self._train_step(xs, ys, sws)
        logs = self._logs()
        return logs if return_dict else self._ordered_results(logs)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        """Loss and metrics on one batch, without updating weights."""
        self._require_compiled()
        xs, ys, sws = self._standardize(x, y, sample_weight)
        self._ensure_metrics(ys, self._output_shapes())
        self.reset_metrics()
        self._test_step(xs, ys, sws)
        logs = self._logs()
        return logs if return_dict else self._ordered_results(logs)

    def predict_on_batch(self, x):
        """The model's outputs on one batch."""
        xs, _ = self._input_list(x)
        return self.predict(x, batch_size=max(1, len(xs[0])), verbose=0)


_ACTIVATIONS = {}  # name -> activation function, for _fusable_logits


def _activation_named(name):
    function = _ACTIVATIONS.get(name)
    if function is None:
        from keraslite import activations

        function = _ACTIVATIONS[name] = activations.get(name)
    return function


def _plain_to_array(data, name, key):
    """`to_array` for inputs declared in floatx (the key does not matter)."""
    return data_utils.to_array(data, name)


def _check_targets(y, out_shape, loss_object):
    """Raises early, with a hint, when labels do not fit the loss."""
    fn = getattr(loss_object, "fn", None)
    if out_shape is None:
        return
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
    if fn in losses_module._LABELS_LIKE_OUTPUT:
        y_shape = y.shape[1:]
        out = tuple(out_shape[1:])
        if y_shape != out and not (
            (y_shape == () and out == (1,)) or (y_shape == (1,) and out == ())
        ):
            raise ValueError(
                f"Labels of shape {y.shape} do not match the model output "
                f"shape {out_shape} for loss {fn.__name__}."
            )


def _join(xs, ys, sws):
    """One flat list of arrays (for batching) and the sizes of its parts."""
    ys = ys or []
    sws = sws or []
    return list(xs) + list(ys) + list(sws), (len(xs), len(ys), len(sws))


def _split(flat, parts):
    nx, ny, nw = parts
    xs = flat[:nx]
    ys = flat[nx:nx + ny] if ny else None
    sws = flat[nx + ny:nx + ny + nw] if nw else None
    if sws is not None and all(s is None for s in sws):
        sws = None
    return xs, ys, sws


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


def _log_value(result):
    """A metric result as logged: a float, or an array for results with
    several values (a count at several thresholds, F1Score(average=None)),
    as Keras's logs keep them."""
    result = np.asarray(result)
    return float(result) if result.ndim == 0 else result
