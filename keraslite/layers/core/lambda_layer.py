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
        mask: Not supported (must be None).
        arguments: Optional dict of keyword arguments for `function`.
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None,
                 **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise ValueError(
                f"Argument `function` must be callable. Received: {function!r}"
            )
        if mask is not None:
            raise ValueError("keraslite's Lambda layer does not support `mask`.")
        self.function = function
        self.arguments = arguments or {}
        self._output_shape = output_shape

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            return self._infer_output_shape(input_shape)
        if callable(self._output_shape):
            return tuple(self._output_shape(input_shape))
        return (input_shape[0],) + tuple(self._output_shape)

    supports_masking = False  # as Keras's Lambda without `mask`

    def compute_mask(self, inputs, mask=None):
        """None: without Keras's `mask` argument a Lambda ends the mask."""
        return None

    def _may_make_mask(self):
        return False

    def call(self, inputs, training=False):
        return self.function(inputs, **self.arguments)

    def get_config(self):
        import codecs
        import marshal

        # As Keras's `python_utils.func_dump`: the bytecode, base64-encoded.
        code = codecs.encode(marshal.dumps(self.function.__code__), "base64")
        config = {
            "function": {
                "class_name": "__lambda__",
                "config": {"code": code.decode("ascii"),
                           "defaults": self.function.__defaults__,
                           "closure": None},
            },
        }
        if self._output_shape is not None and not callable(self._output_shape):
            config["output_shape"] = self._output_shape
        config["arguments"] = dict(self.arguments)
        return {**super().get_config(), **config}
