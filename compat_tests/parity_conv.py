"""Parity rows of the convolution layers (Conv1D, Conv2D, Conv2DTranspose,
DepthwiseConv2D, SeparableConv2D): forward, input gradient and every weight
gradient against Keras's under `tf.GradientTape`, output shapes and configs,
over a table of hand-picked and seeded random configurations.

`CONV_LAYER_CASES` has the format of `parity_models.LAYER_CASES`; the float64
gradient checks (tests/test_conv_layers.py) and the file round trips
(compat_tests/test_conv_files_compat.py) run over the same table.
"""
import numpy as np

import keraslite


def _case(cls, shape, kind="normal", label=None, **kwargs):
    """(name, constructor, input shapes, kind) of one `cls(**kwargs)`.

    NOTE: Keras 3.15's TensorFlow `ops.add` takes a channels_first output
    whose last axis has the length of the bias for channels_last and adds
    the bias along it, so a channels_first input is widened until its
    output's width differs from its channels (keraslite is right either way;
    tests/test_conv_layers.py checks it against a direct loop).
    """
    name = f"{cls}[{label}]" if label else cls

    def make(layers):
        return getattr(layers, cls)(**kwargs)

    if kwargs.get("data_format") == "channels_first":
        out = make(keraslite.layers).compute_output_shape((None,) + shape[1:])
        while out[1] == out[-1]:
            shape = shape[:-1] + (shape[-1] + 1,)
            out = make(keraslite.layers).compute_output_shape((None,) + shape[1:])
    return name, make, [shape], kind


# Hand-picked: every argument at least once, both data formats.
_CHOSEN = [
    _case("Conv2D", (2, 7, 7, 3), filters=4, kernel_size=3),
    _case("Conv2D", (2, 8, 7, 3), label="same, strides=2, kernel (3, 2), relu",
          filters=5, kernel_size=(3, 2), strides=2, padding="same", activation="relu"),
    _case("Conv2D", (2, 10, 11, 2), label="same, even kernel, strides=3",
          filters=3, kernel_size=4, strides=3, padding="same"),
    _case("Conv2D", (2, 9, 8, 2), label="dilation=(2, 1), tanh",
          filters=3, kernel_size=3, dilation_rate=(2, 1), activation="tanh"),
    _case("Conv2D", (2, 6, 6, 4), label="groups=2, same",
          filters=4, kernel_size=3, groups=2, padding="same"),
    _case("Conv2D", (2, 3, 7, 6), label="channels_first, strides=(2, 1), sigmoid",
          filters=4, kernel_size=3, strides=(2, 1), data_format="channels_first",
          activation="sigmoid"),
    _case("Conv2D", (2, 3, 6, 6), label="channels_first, groups=3, dilation=2, same",
          filters=6, kernel_size=2, groups=3, dilation_rate=2, padding="same",
          data_format="channels_first"),
    _case("Conv2D", (2, 4, 4, 3), label="1x1, no bias, softmax",
          filters=4, kernel_size=1, use_bias=False, activation="softmax"),
    _case("Conv1D", (2, 9, 3), filters=4, kernel_size=3),
    _case("Conv1D", (2, 10, 2), label="causal, dilation=2, relu",
          filters=3, kernel_size=3, padding="causal", dilation_rate=2, activation="relu"),
    _case("Conv1D", (2, 3, 9), label="channels_first, same, strides=2",
          filters=4, kernel_size=4, strides=2, padding="same",
          data_format="channels_first"),
    _case("Conv1D", (2, 8, 4), label="groups=2, causal, channels_last",
          filters=6, kernel_size=2, groups=2, padding="causal"),
    _case("Conv2DTranspose", (2, 4, 5, 2), filters=3, kernel_size=3),
    _case("Conv2DTranspose", (2, 4, 4, 3), label="strides=2, same",
          filters=4, kernel_size=3, strides=2, padding="same"),
    _case("Conv2DTranspose", (2, 3, 4, 2), label="strides=(2, 3), output_padding=(1, 2)",
          filters=3, kernel_size=(3, 2), strides=(2, 3), output_padding=(1, 2)),
    _case("Conv2DTranspose", (2, 4, 3, 2), label="same, strides=2, output_padding=1, relu",
          filters=2, kernel_size=3, strides=2, padding="same", output_padding=1,
          activation="relu"),
    _case("Conv2DTranspose", (2, 4, 4, 2), label="same, even kernel, strides=2",
          filters=2, kernel_size=4, strides=2, padding="same"),
    _case("Conv2DTranspose", (2, 3, 4, 4), label="channels_first, dilation=2, no bias",
          filters=2, kernel_size=3, dilation_rate=2, use_bias=False,
          data_format="channels_first"),
    _case("DepthwiseConv2D", (2, 6, 6, 3), kernel_size=3),
    _case("DepthwiseConv2D", (2, 7, 6, 3), label="depth_multiplier=2, same, strides=2",
          kernel_size=3, depth_multiplier=2, padding="same", strides=2),
    _case("DepthwiseConv2D", (2, 2, 9, 8), label="channels_first, dilation=2, tanh",
          kernel_size=(2, 3), dilation_rate=2, data_format="channels_first",
          activation="tanh"),
    _case("DepthwiseConv2D", (2, 9, 9, 2), label="strides=2 with dilation=2",
          kernel_size=3, strides=2, dilation_rate=2, depth_multiplier=3),
    _case("SeparableConv2D", (2, 6, 6, 3), filters=4, kernel_size=3),
    _case("SeparableConv2D", (2, 7, 8, 3),
          label="depth_multiplier=2, same, strides=2, relu",
          filters=5, kernel_size=3, depth_multiplier=2, padding="same", strides=2,
          activation="relu"),
    _case("SeparableConv2D", (2, 2, 8, 7), label="channels_first, dilation=2, no bias",
          filters=3, kernel_size=2, dilation_rate=2, use_bias=False,
          data_format="channels_first"),
]


def _random_cases(count, seed=11):
    """`count` seeded random configurations of the five layers."""
    rng = np.random.default_rng(seed)
    classes = ["Conv2D", "Conv1D", "Conv2DTranspose", "DepthwiseConv2D",
               "SeparableConv2D"]
    cases = []
    for i in range(count):
        cls = classes[i % len(classes)]
        rank = 1 if cls == "Conv1D" else 2
        kernel = tuple(int(k) for k in rng.integers(1, 4, rank))
        if rng.random() < 0.5:
            strides, dilation = tuple(int(s) for s in rng.integers(1, 4, rank)), 1
        else:
            strides, dilation = 1, tuple(int(d) for d in rng.integers(1, 3, rank))
        paddings = ["valid", "same"] + (["causal"] if cls == "Conv1D" else [])
        kwargs = dict(kernel_size=kernel, strides=strides, dilation_rate=dilation,
                      padding=str(rng.choice(paddings)),
                      data_format=str(rng.choice(["channels_last", "channels_first"])),
                      activation=str(rng.choice(["linear", "relu", "tanh"])))
        channels = int(rng.integers(1, 4))
        if cls in ("Conv2D", "Conv1D"):
            groups = int(rng.choice([1, 2]))
            channels *= groups
            kwargs.update(filters=groups * int(rng.integers(1, 4)), groups=groups)
        elif cls == "Conv2DTranspose":
            kwargs["filters"] = int(rng.integers(1, 4))
            steps = (strides,) * rank if isinstance(strides, int) else strides
            if rng.random() < 0.5 and max(steps) > 1:
                kwargs["output_padding"] = tuple(int(rng.integers(0, s)) for s in steps)
                if kwargs["padding"] == "same" and any(
                        k % 2 == 0 and op == 0 for k, op in
                        zip(kernel, kwargs["output_padding"])):
                    kwargs["padding"] = "valid"  # TF refuses that output size
        else:
            kwargs["depth_multiplier"] = int(rng.integers(1, 3))
            if cls == "SeparableConv2D":
                kwargs["filters"] = int(rng.integers(1, 4))
        spatial = tuple(int(s) for s in rng.integers(7, 11, rank))
        shape = ((2,) + spatial + (channels,) if kwargs["data_format"] == "channels_last"
                 else (2, channels) + spatial)
        cases.append(_case(cls, shape, label=f"random {i}", **kwargs))
    return cases


CONV_LAYER_CASES = _CHOSEN + _random_cases(10)

# Keras's other names of the same classes.
ALIASES = {"Convolution1D": "Conv1D", "Convolution2D": "Conv2D",
           "Convolution2DTranspose": "Conv2DTranspose",
           "SeparableConvolution2D": "SeparableConv2D"}


def _conv_row(case):
    """`parity_models._layer_row`, plus the config's keys (which it does not
    compare) and the unbuilt layers' configs."""
    from compat_tests.parity import Pair, Row
    from compat_tests.parity_models import _layer_row, _lib, _plain

    row = _layer_row(*case)
    name, make = case[0], case[1]

    def compute():
        pairs = row.compute()
        _, keras = _lib()
        ours, theirs = make(keraslite.layers), make(keras.layers)
        ours_config, theirs_config = ours.get_config(), theirs.get_config()
        ours_config.pop("name"), theirs_config.pop("name")
        pairs.append(Pair("config keys", sorted(ours_config), sorted(theirs_config),
                          exact=True))
        pairs.append(Pair("unbuilt config", _plain(ours_config),
                          _plain(theirs_config), exact=True))
        return pairs

    return Row(row.name, compute, rtol=row.rtol, atol=row.atol, covers=row.covers)


def _alias_row():
    from compat_tests.parity import Pair, Row
    from compat_tests.parity_models import _lib

    def compute():
        _, keras = _lib()
        return [Pair(f"{alias} is {name}",
                     getattr(keraslite.layers, alias) is getattr(keraslite.layers, name),
                     getattr(keras.layers, alias) is getattr(keras.layers, name),
                     exact=True)
                for alias, name in ALIASES.items()]

    return Row("layers.convolution aliases[same classes]", compute,
               covers=tuple(f"layers.{alias}" for alias in ALIASES))


def conv_rows():
    return [_conv_row(case) for case in CONV_LAYER_CASES] + [_alias_row()]
