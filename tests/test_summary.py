"""`summary()`: Keras 3's rich table, line for line (golden text from Keras 3.15.1)."""
import numpy as np
import pytest

import keraslite
from keraslite import layers
from keraslite.utils import summary


@pytest.fixture(autouse=True)
def _console_80(monkeypatch):
    # Keras's default width and rich's cropping both read the terminal.
    monkeypatch.setenv("COLUMNS", "80")


def _text(model, **kwargs):
    got = []
    model.summary(print_fn=got.append, **kwargs)
    assert len(got) == 1  # as Keras: one call with the whole table
    return got[0]


def _functional():
    a = keraslite.Input((8,), name="a")
    b = keraslite.Input((4,), name="b")
    d = layers.Dense(4, name="dense")(a)
    c = layers.Concatenate(name="concatenate_with_a_long_name")([d, b])
    out = layers.Dense(2, name="out")(c)
    return keraslite.Model([a, b], out, name="fn")


FUNCTIONAL = """\
Model: "fn"
┏━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┓
┃ Layer (type)        ┃ Output Shape      ┃    Param # ┃ Connected to      ┃
┡━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━┩
│ a (InputLayer)      │ (None, 8)         │          0 │ -                 │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ dense (Dense)       │ (None, 4)         │         36 │ a[0][0]           │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ b (InputLayer)      │ (None, 4)         │          0 │ -                 │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ concatenate_with_a… │ (None, 8)         │          0 │ dense[0][0],      │
│ (Concatenate)       │                   │            │ b[0][0]           │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ out (Dense)         │ (None, 2)         │         18 │ concatenate_with… │
└─────────────────────┴───────────────────┴────────────┴───────────────────┘
 Total params: 54 (216.00 B)
 Trainable params: 54 (216.00 B)
 Non-trainable params: 0 (0.00 B)
"""

FUNCTIONAL_TRAINABLE_60 = """\
Model: "fn"
┏━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━┳━━━━━━━━┳━━━━━━━━━━━━━┳━━━━━┓
┃               ┃ Output      ┃  Param ┃ Connected   ┃     ┃
┃ Layer (type)  ┃ Shape       ┃      # ┃ to          ┃ Tr… ┃
┡━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━╇━━━━━━━━╇━━━━━━━━━━━━━╇━━━━━┩
│ a             │ (None, 8)   │      0 │ -           │  -  │
│ (InputLayer)  │             │        │             │     │
├───────────────┼─────────────┼────────┼─────────────┼─────┤
│ dense (Dense) │ (None, 4)   │     36 │ a[0][0]     │  Y  │
├───────────────┼─────────────┼────────┼─────────────┼─────┤
│ b             │ (None, 4)   │      0 │ -           │  -  │
│ (InputLayer)  │             │        │             │     │
├───────────────┼─────────────┼────────┼─────────────┼─────┤
│ concatenate_… │ (None, 8)   │      0 │ dense[0][0… │  -  │
│ (Concatenate) │             │        │ b[0][0]     │     │
├───────────────┼─────────────┼────────┼─────────────┼─────┤
│ out (Dense)   │ (None, 2)   │     18 │ concatenat… │  Y  │
└───────────────┴─────────────┴────────┴─────────────┴─────┘
 Total params: 54 (216.00 B)
 Trainable params: 54 (216.00 B)
 Non-trainable params: 0 (0.00 B)
"""

NESTED_EXPANDED = """\
Model: "outer"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ x (InputLayer)                  │ (None, 8)              │             0 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ inner (Sequential)              │ (None, 2)              │            35 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│    └ i1 (Dense)                 │ (None, 3)              │            27 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│    └ i2 (Dense)                 │ (None, 2)              │             8 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ head (Dense)                    │ (None, 1)              │             3 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 38 (152.00 B)
 Trainable params: 38 (152.00 B)
 Non-trainable params: 0 (0.00 B)
"""

SUBCLASSED_UNBUILT = """\
Model: "sub"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ d1 (Dense)                      │ ?                      │   0 (unbuilt) │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ d2 (Dense)                      │ ?                      │   0 (unbuilt) │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 0 (0.00 B)
 Trainable params: 0 (0.00 B)
 Non-trainable params: 0 (0.00 B)
"""


class Sub(keraslite.Model):
    def __init__(self):
        super().__init__(name="sub")
        self.d1 = layers.Dense(3, name="d1")
        self.d2 = layers.Dense(2, name="d2")

    def call(self, x):
        return self.d2(self.d1(x))


def _nested():
    inner = keraslite.Sequential([keraslite.Input((8,)), layers.Dense(3, name="i1"),
                                  layers.Dense(2, name="i2")], name="inner")
    x = keraslite.Input((8,), name="x")
    y = layers.Dense(1, name="head")(inner(x))
    return keraslite.Model(x, y, name="outer")


def test_functional_table_with_connections():
    assert _text(_functional()) == FUNCTIONAL


def test_show_trainable_and_narrow_width_wrap_cells():
    assert _text(_functional(), show_trainable=True, line_length=60) \
        == FUNCTIONAL_TRAINABLE_60


def test_expand_nested_indents_inner_layers():
    model = _nested()
    assert _text(model, expand_nested=True) == NESTED_EXPANDED
    folded = _text(model).splitlines()
    assert "└" not in "".join(folded[4:-4])
    assert len(folded) == len(NESTED_EXPANDED.splitlines()) - 4


def test_subclassed_model_lists_unbuilt_layers():
    assert _text(Sub()) == SUBCLASSED_UNBUILT
    model = Sub()
    model(np.zeros((2, 5), "float32"))
    assert "│ d1 (Dense)                      │ (" in _text(model)
    assert "Total params: 26 (104.00 B)" in _text(model)


def test_layer_range_selects_rows():
    lines = _text(_functional(), layer_range=["dense", "out"]).splitlines()
    names = [line.split("│")[1].strip() for line in lines if line.startswith("│ ")
             and line.split("│")[1].strip()]
    assert names == ["dense (Dense)", "b (InputLayer)", "concatenate_with_a…",
                     "(Concatenate)", "out (Dense)"]
    with pytest.raises(ValueError, match="do not match the layer names"):
        _text(_functional(), layer_range=["nope", "out"])
    with pytest.raises(ValueError, match="length 2"):
        _text(_functional(), layer_range=["dense"])


def test_lines_are_cropped_to_the_console(monkeypatch):
    monkeypatch.setenv("COLUMNS", "50")
    lines = _text(_functional(), line_length=100).splitlines()
    assert max(len(line) for line in lines) == 50


def test_default_width_follows_the_terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    lines = _text(_functional()).splitlines()
    assert len(lines[1]) == 108  # Keras's default for a "Connected to" table
    lines = _text(_nested()).splitlines()
    assert len(lines[1]) == 88


def test_too_narrow_raises():
    with pytest.raises(ValueError, match="Insufficient console width"):
        _text(_functional(), line_length=10)


def test_optimizer_params_count_int64_iteration():
    model = keraslite.Sequential([keraslite.Input((5,)), layers.Dense(1)])
    model.compile("sgd", "mse")
    model.fit(np.zeros((4, 5)), np.zeros((4, 1)), verbose=0)
    text = _text(model)
    assert " Optimizer params: 2 (12.00 B)\n" in text  # iteration int64 + lr
    assert " Total params: 8 (36.00 B)\n" in text


@pytest.mark.parametrize("text,width,justify,expected", [
    ("dense[0][0], b[0][0]", 12, "left", ["dense[0][0],", "b[0][0]     "]),
    ("a_very_long_name (Dense)", 10, "left", ["a_very_lo…", "(Dense)   "]),
    ("Param #", 5, "right", ["Param", "    #"]),
    ("Trainable", 3, "center", ["Tr…"]),
    ("Y", 5, "center", ["  Y  "]),
    ("abcdefgh", 3, None, ["abc", "def", "gh"]),
])
def test_wrap_as_rich(text, width, justify, expected):
    overflow = "fold" if justify is None else "ellipsis"
    assert summary.wrap(text, width, justify, overflow) == expected


def test_table_widths_as_rich():
    # Keras's functional positions at 76 columns: 22, 20, 14, 20 asked for.
    assert summary.table_widths([22, 20, 14, 20], 76) == [21, 19, 12, 19]


def test_memory_sizes():
    assert summary.readable_memory_size(216) == "216.00 B"
    assert summary.readable_memory_size(1536) == "1.50 KB"
    assert summary.readable_memory_size(3 * 1024 ** 3) == "3.00 GB"
