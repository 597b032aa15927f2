"""The Optimizer base: slots built per variable, one `update_step` each.

`apply_gradients` follows Keras 3's order: clip the gradients, apply
weight decay, run `update_step` on every variable, update the moving
averages (`use_ema`), apply constraints, then count the iteration. With
`gradient_accumulation_steps=n` the gradients are summed for n - 1 calls
and the real step (clipping, weight decay, `update_step`) runs on their
mean at every n-th. Updates happen in place on float32 arrays.

A gathered weight's gradient may come as an `IndexedSlices` (Embedding).
An optimizer with `update_step_sparse` (SGD without momentum) updates only
its rows when that is exactly the dense update: no clipping, no weight
decay on the variable, no `use_ema`, no gradient accumulation and no
constraint on the variable. Otherwise the slices are scatter-added into a
dense gradient kept per variable between steps.
"""
import re

import numpy as np

from keraslite.autodiff import IndexedSlices
from keraslite.layers.layer import Variable
from keraslite.optimizers import schedules
from keraslite.utils.naming import snake_case, unique_name


# Elements per block of an update: the step's arrays (about six of them)
# then fit in a 2 MiB L2 cache.
_BLOCK = 1 << 16


class Optimizer:
    """Base optimizer.

    Args:
        learning_rate: A float, a `LearningRateSchedule` (called with
            `iterations`) or a callable taking no argument.
        weight_decay: Decoupled weight decay factor, or None.
        clipnorm: Clip each gradient to this L2 norm.
        clipvalue: Clip each gradient element to [-clipvalue, clipvalue].
        global_clipnorm: Clip all gradients to this global norm.
        use_ema: Keep an exponential moving average of the weights
            (`average = ema_momentum * average + (1 - ema_momentum) * w`,
            and `average = w` at the first step).
        ema_momentum: Momentum of that average, in [0, 1] (0.99).
        ema_overwrite_frequency: Overwrite the weights with their average
            every this many steps; None: only when `fit` ends (or at
            `finalize_variable_values`).
        loss_scale_factor: Not supported (must be None).
        gradient_accumulation_steps: An integer >= 2, or None: update the
            weights every this many calls, with the mean of the gradients
            since the last update. `iterations` counts the updates; a
            learning-rate schedule sees the calls.
        name: Name of the optimizer (used in variable paths when saving).
    """

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None,
                 name=None, **kwargs):
        if kwargs:
            raise ValueError(f"Argument(s) not recognized: {kwargs}")
        if loss_scale_factor:
            raise ValueError(
                "keraslite's optimizers do not support `loss_scale_factor`."
            )
        if gradient_accumulation_steps:
            # NOTE: Keras checks only `>= 2`, and a float then fails at the
            # first step (TypeError); it is refused here, in Keras's words.
            if not (gradient_accumulation_steps >= 2 and isinstance(
                    gradient_accumulation_steps, (int, np.integer))):
                raise ValueError(
                    "`gradient_accumulation_steps` must be an integer >= 2. "
                    "Received: gradient_accumulation_steps="
                    f"{gradient_accumulation_steps}"
                )
        if use_ema:
            if ema_momentum > 1 or ema_momentum < 0:
                raise ValueError(
                    "`ema_momentum` must be in the range [0, 1]. "
                    f"Received: ema_momentum={ema_momentum}"
                )
            if ema_overwrite_frequency and (
                not isinstance(ema_overwrite_frequency, int)
                or ema_overwrite_frequency < 1
            ):
                raise ValueError(
                    "`ema_overwrite_frequency` must be an integer >= 1 or "
                    "None. Received: ema_overwrite_frequency="
                    f"{ema_overwrite_frequency}"
                )
        if sum(v is not None for v in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(
                "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can "
                f"be set. Received: clipnorm={clipnorm}, clipvalue={clipvalue}, "
                f"global_clipnorm={global_clipnorm}"
            )
        self.name = name or unique_name(snake_case(type(self).__name__))
        self._learning_rate = _check_learning_rate(learning_rate)
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.global_clipnorm = global_clipnorm
        self.use_ema = use_ema
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = None
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self._iterations = 0  # calls of `apply`, saved as "iteration"
        self.built = False
        self._averages = []  # use_ema: "<path>_average" per variable
        self._accumulators = []  # "<path>_gradient_accumulator" per variable
        self._slots = []  # [(slot name, [array per variable])] in Keras order
        self._extra_state = []  # [(name, array)] saved after the slots
        self._trainable_variables = []
        self._exclude_from_weight_decay = set()
        self._exclude_from_weight_decay_pattern = None

    @property
    def iterations(self):
        """The number of steps taken: calls of `apply`, divided (rounding
        down) by `gradient_accumulation_steps` when set."""
        if self.gradient_accumulation_steps:
            return self._iterations // self.gradient_accumulation_steps
        return self._iterations

    # --- learning rate -------------------------------------------------------------
    @property
    def learning_rate(self):
        """The current learning rate. A schedule is evaluated at the number
        of `apply` calls (with gradient accumulation, not at `iterations`)."""
        lr = self._learning_rate
        if _is_schedule(lr):
            return np.float32(lr(self._iterations))
        if callable(lr):
            return np.float32(lr())
        return np.float32(lr)

    @learning_rate.setter
    def learning_rate(self, value):
        if _is_schedule(self._learning_rate) and not callable(value):
            raise TypeError(
                "This optimizer was created with a `LearningRateSchedule` "
                "object as its `learning_rate` constructor argument, hence its "
                "learning rate is not settable. If you need the learning rate "
                "to be settable, you should instantiate the optimizer with a "
                "float `learning_rate` argument."
            )
        self._learning_rate = _check_learning_rate(value)

    # --- slots ----------------------------------------------------------------
    # Number of scratch arrays `update_step` receives.
    _num_scratch = 1
    # The scratch array (its index) that `update_step` first writes after
    # its last read of the gradient, or None. With gradients that nothing
    # reads after the update (`_apply_own_gradients`, the training step's),
    # that scratch is the gradient itself: one array less through the cache
    # in each block, the same numbers.
    _gradient_scratch = None
    _own_gradients = False
    # Whether `update_step` is elementwise, so that it can run on blocks of a
    # variable (False when it takes norms or means over the whole variable).
    _elementwise = True

    def build(self, variables):
        """Records the variables, creates the moving averages (`use_ema`),
        the gradient accumulators and `update_step`'s scratch arrays.

        Subclasses call it first, then add their slots (`add_slots`).
        """
        self._trainable_variables = list(variables)
        self._slots = []
        self._extra_state = []
        # Keras creates these in BaseOptimizer.build, before any slot.
        self._averages = (
            [np.zeros_like(v.value) for v in variables] if self.use_ema else []
        )
        self._accumulators = (
            [np.zeros_like(v.value) for v in variables]
            if self.gradient_accumulation_steps else []
        )
        # `update_step`'s work arrays (see `_work_arrays`): per dtype, the
        # block-sized ones all variables share; per variable, whole ones.
        self._shared_scratch = {}
        self._own_scratch = {}
        self._per_variable = {}  # index -> its slots
        self._dense_grads = {}  # index -> (dense gradient, its non-zero rows)
        self.built = True

    def add_slots(self, name, variables=None, initial_value=0.0):
        """Adds one array per variable under `name`, filled with
        `initial_value`; returns the list."""
        variables = self._trainable_variables if variables is None else variables
        arrays = [np.full_like(v.value, initial_value) for v in variables]
        self._slots.append((name, arrays))
        self._per_variable = {}
        return arrays

    def add_interleaved_slots(self, names, initial_values=None):
        """Like `add_slots` for several names, saved interleaved per variable
        (Keras's `add_optimizer_variables` order for Adam-like optimizers)."""
        initial_values = initial_values or [0.0] * len(names)
        groups = [[np.full_like(v.value, value) for v in self._trainable_variables]
                  for value in initial_values]
        return self.add_slot_arrays(names, groups)

    def add_slot_arrays(self, names, groups):
        """Registers ready-made slot arrays, saved interleaved per variable.

        `groups[j][i]` is slot `names[j]` of variable `i`; it may have any
        shape (Adafactor's factored moments). A name of None saves the slot
        under the variable's own name, as Keras's Adafactor does.
        """
        self._slots.append((tuple(names), groups))
        self._per_variable = {}
        return groups

    def add_extra_state(self, name, value):
        """Adds a scalar saved after every slot (Keras's Nadam `u_product`)."""
        array = np.array(value, dtype="float32")
        self._extra_state.append((name, array))
        return array

    @property
    def variables(self):
        """All state as Variables, in Keras 3's order: iteration,
        learning_rate (absent with a schedule, as in Keras), the averages
        (`use_ema`), the gradient accumulators, then the slots."""
        out = [
            Variable(np.array(self._iterations, dtype="int64"), "iteration",
                     trainable=False, path=f"{self.name}/iteration"),
        ]
        if not _is_schedule(self._learning_rate):
            out.append(Variable(np.array(self.learning_rate, dtype="float32"),
                                "learning_rate", trainable=False,
                                path=f"{self.name}/learning_rate"))
        for name, arrays in (("average", self._averages),
                             ("gradient_accumulator", self._accumulators)):
            for array, var in zip(arrays, self._trainable_variables):
                out.append(self._slot_variable(array, var, name))
        for name, arrays in self._slots:
            if isinstance(name, tuple):
                for i, var in enumerate(self._trainable_variables):
                    for slot_name, group in zip(name, arrays):
                        out.append(self._slot_variable(group[i], var, slot_name))
            else:
                for array, var in zip(arrays, self._trainable_variables):
                    out.append(self._slot_variable(array, var, name))
        for name, array in self._extra_state:
            out.append(Variable(array, name, trainable=False,
                                path=f"{self.name}/{name}"))
        return out

    def _slot_variable(self, array, var, slot_name):
        if slot_name is None:
            name = var.name
        else:
            name = f"{var.path.replace('/', '_')}_{slot_name}"
        return Variable(array, name, trainable=False,
                        path=f"{self.name}/{name}")

    def get_state(self):
        """The state as plain arrays, in the order of `variables`."""
        return [v.numpy() for v in self.variables]

    def set_state(self, arrays):
        """Restores `get_state()` output (all or nothing)."""
        current = self.variables
        if len(arrays) != len(current):
            raise ValueError(
                f"Optimizer '{self.name}' expects {len(current)} state arrays "
                f"(iteration, learning_rate and its slots); received "
                f"{len(arrays)}."
            )
        arrays = [np.asarray(a) for a in arrays]
        for var, array in zip(current, arrays):
            if var.shape != array.shape:
                raise ValueError(
                    f"Optimizer variable '{var.path}' has shape {var.shape}; "
                    f"received an array of shape {array.shape}."
                )
        self._iterations = int(arrays[0])
        first_slot = 1
        if not _is_schedule(self._learning_rate):
            first_slot = 2
            if not callable(self._learning_rate):
                self._learning_rate = float(np.float32(arrays[1]))
        for var, array in zip(current[first_slot:], arrays[first_slot:]):
            var.value[...] = array

    # --- the step ---------------------------------------------------------------
    def apply_gradients(self, grads_and_vars):
        """Applies `[(gradient, variable), ...]` and returns `iterations`."""
        grads_and_vars = list(grads_and_vars)
        grads = [g for g, _ in grads_and_vars]
        variables = [v for _, v in grads_and_vars]
        return self.apply(grads, variables)

    def apply(self, grads, trainable_variables=None):
        """Updates the variables in place from their gradients."""
        if trainable_variables is None:
            trainable_variables = self._trainable_variables
        if not self.built:
            self.build(trainable_variables)
        if len(grads) != len(self._trainable_variables):
            raise ValueError(
                f"Received {len(grads)} gradients for an optimizer built on "
                f"{len(self._trainable_variables)} variables."
            )
        if any(isinstance(g, IndexedSlices) for g in grads):
            grads = [self._sparse_or_dense(i, g, var) if isinstance(
                g, IndexedSlices) else g for i, (g, var) in enumerate(
                zip(grads, trainable_variables))]
        steps = self.gradient_accumulation_steps
        if not steps:
            self._step(grads, trainable_variables)
        elif (self._iterations + 1) % steps == 0:
            # The real step, on the mean of this call's and the accumulated
            # gradients; then the accumulators start again from zero.
            grads = [g if g is None else (g + acc) / steps
                     for g, acc in zip(grads, self._accumulators)]
            self._step(grads, trainable_variables)
            for acc in self._accumulators:
                acc[...] = 0
        else:
            for g, acc in zip(grads, self._accumulators):
                if g is not None:
                    acc += g
        if self.use_ema:
            self._update_moving_averages(trainable_variables)
            frequency = self.ema_overwrite_frequency
            if frequency and (self.iterations + 1) % frequency == 0:
                self._overwrite_model_variables_with_average_value(
                    trainable_variables)
        for var in trainable_variables:
            if var.constraint is not None:
                var.value[...] = var.constraint(var.value)
        self._iterations += 1
        return self._iterations

    def _apply_own_gradients(self, grads, trainable_variables):
        """`apply` for gradients that nothing reads afterwards (the
        training step's): the update may overwrite them when they are
        writable contiguous arrays no two of which share memory."""
        self._own_gradients = _disjoint(grads)
        try:
            return self.apply(grads, trainable_variables)
        finally:
            self._own_gradients = False

    def _step(self, grads, trainable_variables):
        """Clipping, weight decay and every variable's `update_step`."""
        grads = self._clip_gradients(grads)
        lr = self.learning_rate
        if self.weight_decay is not None:
            wd = np.float32(self.weight_decay)
            for var in trainable_variables:
                if self._use_weight_decay(var):
                    var.value -= var.value * wd * lr
        self._before_update_steps()
        for index, (grad, var) in enumerate(zip(grads, trainable_variables)):
            if isinstance(grad, IndexedSlices):
                rows, values = grad.rows()
                self.update_step_sparse(rows, values, var.value, lr)
            elif grad is not None:
                self._update(index, grad, var.value, lr)

    # --- sparse gradients (IndexedSlices) ----------------------------------------
    # Set by optimizers that define `update_step_sparse`.
    update_step_sparse = None

    def _sparse_or_dense(self, index, grad, variable):
        """`grad` itself when the sparse update equals the dense one, else
        its dense matrix."""
        exact = (
            self.update_step_sparse is not None and self._sparse_exact()
            and not (self.clipnorm or self.clipvalue or self.global_clipnorm)
            and (self.weight_decay is None or not self._use_weight_decay(variable))
            and not self.use_ema and not self.gradient_accumulation_steps
            and variable.constraint is None
        )
        return grad if exact else self._densify(index, grad)

    def _sparse_exact(self):
        """Whether this optimizer's configuration updates untouched rows by
        nothing (e.g. SGD without momentum)."""
        return True

    def _densify(self, index, grad):
        """The dense matrix of an `IndexedSlices`, in a buffer kept for the
        variable between steps: zeroing it again is a memset of the whole
        buffer, or, when the previous step touched fewer than 1/32 of the
        rows, of just those rows.
        NOTE: measured for (10000, 32): memset 0.03 ms; `grad[rows] = 0`
        costs ~25 ns a row.
        """
        buffer, previous = self._dense_grads.get(index, (None, None))
        if buffer is None or buffer.shape != grad.dense_shape:
            buffer = np.zeros(grad.dense_shape, dtype=grad.dtype)
        elif previous.size * 32 < len(buffer):
            buffer[previous] = 0.0
        else:
            buffer.fill(0.0)
        grad.to_dense(out=buffer)
        self._dense_grads[index] = (buffer, grad.indices())  # a copy
        return buffer

    # --- moving average of the weights (use_ema) ----------------------------------
    def _update_moving_averages(self, trainable_variables):
        # At the first step (`iterations` 0) the average is the weight itself.
        momentum = np.float32(self.ema_momentum if self.iterations != 0 else 0.0)
        for var, average in zip(trainable_variables, self._averages):
            average *= momentum
            average += (np.float32(1) - momentum) * var.value

    def _overwrite_model_variables_with_average_value(self, trainable_variables):
        """Overwrite model variables with their moving average."""
        if len(trainable_variables) != len(self._averages):
            raise ValueError(
                f"The length of model variables ({len(trainable_variables)}) "
                "to override does not match the length of model variables "
                "stored in the optimizer "
                f"({len(self._averages)}). Please "
                "check if the optimizer was called on your model."
            )
        for var, average in zip(trainable_variables, self._averages):
            var.value[...] = average

    def finalize_variable_values(self, var_list):
        """Sets the final values of the model's trainable variables: with
        `use_ema`, their moving averages (`fit` calls it at its end).

        Args:
            var_list: The model's trainable variables.
        """
        if self.use_ema:
            self._overwrite_model_variables_with_average_value(var_list)

    def _update(self, index, gradient, variable, learning_rate):
        """Runs `update_step` on one variable, block by block.

        A step makes several elementwise passes over the variable, its
        gradient and its slots; done in blocks of `_BLOCK` elements, the
        arrays of a block stay in the CPU cache between passes. The result
        is the same, element for element.

        NOTE: sharing the blocks among two threads (NumPy's ufuncs release
        the GIL) was measured and dropped: with subnormals flushed, the
        book's fit took 2.92-2.97 s for 3 epochs with it against 2.78-2.87 s
        without, and 3.43-3.50 s against 2.87 s for 1 epoch at 2048 hidden
        units (2026-12-04, 2 cores, OpenBLAS at 2 threads). Overlapping
        the update with the weight gradient's product was measured and
        dropped too: the book's `x.T @ dh` (784 x 512) in 2-12 row blocks
        with OpenBLAS at 1 thread while a worker thread updated each
        finished block took 0.86-1.15 ms against 0.82-0.91 ms for the
        product at 2 threads followed by the update (2026-12-04).
        """
        slots = self._per_variable.get(index)
        if slots is None:
            slots = [group[index] for _, group in self._slot_groups()]
            self._per_variable[index] = slots
        arrays = [gradient, variable] + slots
        blocks = self._elementwise and all(a.flags.c_contiguous for a in arrays)
        scratch = self._work_arrays(index, variable, blocks)
        alias = self._gradient_scratch
        if alias is not None and self._own_gradients and \
                gradient.dtype == variable.dtype and gradient.shape == variable.shape:
            scratch = scratch[:alias] + [gradient] + scratch[alias + 1:]
        else:
            alias = None
        if not blocks or variable.size <= _BLOCK:
            self.update_step(gradient, variable, learning_rate, slots, scratch)
            return
        flat = [a.reshape(-1) for a in arrays]
        n_slots = len(slots)
        for start in range(0, variable.size, _BLOCK):
            block = [a[start:start + _BLOCK] for a in flat]
            size = len(block[1])
            work = [w[:size] for w in scratch]
            if alias is not None:
                work[alias] = block[0]
            self.update_step(block[0], block[1], learning_rate,
                             block[2:2 + n_slots], work)

    def _work_arrays(self, index, variable, blocks):
        """`_num_scratch` work arrays for `update_step` on `variable`, or on
        its blocks (`blocks`): arrays of `_BLOCK` elements shared by every
        variable of the dtype (views of them shaped as `variable` when it is
        that small), which stay in the CPU cache from one block and one
        variable to the next; a larger variable updated whole gets its own.

        NOTE: the book's RMSprop update (784x512, 512, 512x10, 10) took
        ~580 us with whole-variable work arrays against ~500 us with one
        block's, in a bare NumPy loop of the same passes (2026-12-05).
        """
        if blocks or variable.size <= _BLOCK:
            size = min(variable.size, _BLOCK)
            shared = self._shared_scratch.get(variable.dtype)
            if shared is None or (shared and len(shared[0]) < size):
                shared = [np.empty(size, variable.dtype)  # grown up to _BLOCK
                          for _ in range(self._num_scratch)]
                self._shared_scratch[variable.dtype] = shared
            if variable.size > _BLOCK:
                return shared
            return [w[:size].reshape(variable.shape) for w in shared]
        own = self._own_scratch.get(index)
        if own is None:
            own = [np.empty_like(variable) for _ in range(self._num_scratch)]
            self._own_scratch[index] = own
        return own

    def _before_update_steps(self):
        """Runs once per step before the `update_step`s (after weight decay)."""

    def _slot_groups(self):
        """(name, per-variable arrays) for every slot, in creation order."""
        for name, arrays in self._slots:
            if isinstance(name, tuple):
                yield from zip(name, arrays)
            else:
                yield name, arrays

    def update_step(self, gradient, variable, learning_rate, slots, scratch):
        """Updates `variable` in place from `gradient`.

        Args:
            gradient, variable: Same-shaped float32 arrays (a variable or a
                block of it).
            learning_rate: The current learning rate (float32).
            slots: The optimizer's state arrays for this variable (or
                block), in the order the slots were added.
            scratch: `_num_scratch` work arrays of the same shape.
        """
        raise NotImplementedError(
            f"{type(self).__name__} must implement update_step()."
        )

    # --- weight decay -------------------------------------------------------------
    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Exclude variables from weight decay.

        Args:
            var_list: A list of Variables to exclude.
            var_names: A list of strings; a variable whose name contains one
                of them (a regular expression search, as in Keras) is
                excluded. E.g. `var_names=["bias"]` excludes every bias.
        """
        self._exclude_from_weight_decay = set(id(v) for v in var_list or ())
        if var_names:
            self._exclude_from_weight_decay_pattern = re.compile(
                "|".join(set(var_names))
            )
        else:
            self._exclude_from_weight_decay_pattern = None

    def _use_weight_decay(self, variable):
        if id(variable) in self._exclude_from_weight_decay:
            return False
        pattern = self._exclude_from_weight_decay_pattern
        return pattern is None or pattern.search(variable.name) is None

    def _clip_gradients(self, grads):
        if self.clipnorm and self.clipnorm > 0:
            out = []
            for g in grads:
                norm = np.sqrt(np.sum(np.square(g)))
                out.append(g * (self.clipnorm / max(norm, self.clipnorm)))
            return out
        if self.global_clipnorm and self.global_clipnorm > 0:
            norm = np.sqrt(sum(np.sum(np.square(g)) for g in grads))
            scale = self.global_clipnorm * min(1.0 / norm, 1.0 / self.global_clipnorm)
            return [g * np.float32(scale) for g in grads]
        if self.clipvalue and self.clipvalue > 0:
            return [np.clip(g, -self.clipvalue, self.clipvalue) for g in grads]
        return grads

    # --- config ---------------------------------------------------------------
    def get_config(self):
        lr = self._learning_rate
        if hasattr(lr, "get_config"):
            lr = schedules.serialize(lr)
        else:
            lr = float(np.float32(lr))
        return {
            "name": self.name,
            "learning_rate": lr,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue,
            "use_ema": self.use_ema,
            "ema_momentum": self.ema_momentum,
            "ema_overwrite_frequency": self.ema_overwrite_frequency,
            "loss_scale_factor": None,
            "gradient_accumulation_steps": self.gradient_accumulation_steps,
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        lr = config.get("learning_rate")
        if isinstance(lr, dict):
            config["learning_rate"] = schedules.deserialize(lr)
        return cls(**config)


def _is_schedule(value):
    return isinstance(value, schedules.LearningRateSchedule)


def _check_learning_rate(value):
    if callable(value):
        return value
    value = float(value)
    if not np.isfinite(value) or value < 0:
        raise ValueError(
            "Argument `learning_rate` should be a non-negative float or a "
            f"schedule. Received: learning_rate={value}"
        )
    return value


def _disjoint(arrays):
    """Whether `arrays` (None entries aside) are writable C-contiguous
    ndarrays no two of which share memory."""
    spans = []
    for a in arrays:
        if a is None:
            continue
        if type(a) is not np.ndarray or not a.flags.c_contiguous or \
                not a.flags.writeable:
            return False
        start = a.__array_interface__["data"][0]
        spans.append((start, start + a.nbytes))
    spans.sort()
    return all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))
