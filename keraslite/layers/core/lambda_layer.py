"""Lambda: wraps a Python function of tensors as a layer.

The function runs on `keraslite.ops` (or operators), so it trains with the
gradients the tape records. As in Keras, a Lambda's Python code is not
loaded from a file unless `safe_mode=False` is passed to the loader.
"""
from keraslite.layers.layer import Layer


class Lambda(Layer):
    """Calls `function(inputs, **arguments)`.

    Args:
        function: The function; written with `keraslite.ops`.
        output_shape: Optional output shape (without the batch axis) or a
            function of the input shape; inferred by running the function
            when omitted.
        mask: None (the Lambda ends the mask), or a callable with the
            signature of `compute_mask(inputs, mask)` giving the output mask
            (then `supports_masking` is True, as Keras).
        arguments: Optional dict of keyword arguments for `function`.

    A `function` with a `mask` or `training` argument gets the input's mask
    or the training flag, as in Keras.
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None,
                 **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise ValueError(
                f"Argument `function` must be callable. Received: {function!r}"
            )
        if mask is not None and not callable(mask):
            raise ValueError(
                "keraslite's Lambda takes `mask` as None or a callable. "
                f"Received: mask={mask!r}")
        self.function = function
        self.arguments = arguments or {}
        self._output_shape = output_shape
        self.mask = mask
        self.supports_masking = mask is not None
        import inspect

        try:
            args = inspect.getfullargspec(function).args
        except TypeError:  # a builtin or ufunc: no signature to read
            args = []
        self._fn_expects_mask_arg = "mask" in args
        self._fn_expects_training_arg = "training" in args

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            return self._infer_output_shape(input_shape)
        if callable(self._output_shape):
            return tuple(self._output_shape(input_shape))
        return (input_shape[0],) + tuple(self._output_shape)

    def compute_mask(self, inputs, mask=None):
        """`mask(inputs, mask)`, or None without a `mask` callable."""
        return self.mask(inputs, mask) if self.mask is not None else None

    def _may_make_mask(self):
        return self.mask is not None

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        if self._fn_expects_mask_arg:
            kwargs["mask"] = mask
        if self._fn_expects_training_arg:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def get_config(self):
        config = {"function": _dump(self.function)}
        if self._output_shape is not None and not callable(self._output_shape):
            config["output_shape"] = self._output_shape
        if self.mask is not None:
            config["mask"] = _dump(self.mask)
        config["arguments"] = dict(self.arguments)
        return {**super().get_config(), **config}


def _dump(function):
    """As Keras's `python_utils.func_dump`: the bytecode, base64-encoded."""
    import codecs
    import marshal

    code = codecs.encode(marshal.dumps(function.__code__), "base64")
    return {"class_name": "__lambda__",
            "config": {"code": code.decode("ascii"),
                       "defaults": function.__defaults__, "closure": None}}
