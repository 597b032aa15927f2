"""`summary()` beside Keras: the same models (explicit names) print the same
table, line for line, captured with `print_fn`."""

import numpy as np
import pytest

import keraslite

keras = pytest.importorskip("keras")


@pytest.fixture(autouse=True)
def _console_80(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")  # rich and Keras read the terminal width


def summary_models(lib):
    """Models written once for both libraries, by name."""
    L = lib.layers
    a = lib.Input((8,), name="a")
    b = lib.Input((4,), name="b")
    d = L.Dense(4, name="dense")(a)
    c = L.Concatenate(name="concatenate_with_a_long_name")([d, b])
    fn = lib.Model([a, b], L.Dense(2, name="out")(c), name="fn")

    inner = lib.Sequential([lib.Input((8,)), L.Dense(3, name="i1"),
                            L.Dense(2, name="i2")], name="inner")
    x = lib.Input((8,), name="x")
    outer = lib.Model(x, L.Dense(1, name="head")(inner(x)), name="outer")

    x2 = lib.Input((8,), name="x2")
    shared = L.Dense(8, name="shared")
    y1 = shared(x2)
    z = inner(L.Add(name="add")([y1, shared(y1)]))
    multi = lib.Model(x2, [L.Dense(1, name="o1")(z),
                           L.Dense(2, name="o2", trainable=False)(z)], name="multi")

    seq = lib.Sequential([lib.Input((5,)), L.Dense(16, activation="relu", name="h"),
                          L.Dropout(0.1, name="dr"), L.Dense(3, name="o")], name="seq")
    trained = lib.Sequential([lib.Input((5,)), L.Dense(4, name="h2"),
                              L.Dense(1, name="o2b")], name="trained")
    trained.compile("adam", "mse")
    trained.fit(np.zeros((4, 5)), np.zeros((4, 1)), verbose=0)
    return {"fn": fn, "outer": outer, "multi": multi, "seq": seq,
            "trained": trained, "sub": _subclassed(lib)}


def _subclassed(lib):
    class Sub(lib.Model):
        def __init__(self):
            super().__init__(name="sub")
            self.d1 = lib.layers.Dense(3, name="d1")
            self.d2 = lib.layers.Dense(2, name="d2")

        def call(self, x):
            return self.d2(self.d1(x))

    return Sub()


OPTIONS = [{}, {"show_trainable": True}, {"expand_nested": True}, {"line_length": 60},
           {"line_length": 120, "show_trainable": True, "expand_nested": True},
           {"positions": [0.5, 0.7, 1.0]}]


def _text(model, **kwargs):
    got = []
    model.summary(print_fn=lambda text, *a, **k: got.append(text), **kwargs)
    return "".join(got)


@pytest.fixture(scope="module")
def both():
    return summary_models(keraslite), summary_models(keras)


@pytest.mark.parametrize("options", OPTIONS, ids=str)
@pytest.mark.parametrize("name", ["fn", "outer", "multi", "seq", "trained", "sub"])
def test_summary_lines_match_keras(both, name, options):
    ours, theirs = both
    if "positions" in options and name in ("fn", "multi"):
        pytest.skip("3 positions are for the 3-column table")
    assert _text(ours[name], **options).splitlines() \
        == _text(theirs[name], **options).splitlines()


def test_layer_range_matches_keras(both):
    ours, theirs = both
    for layer_range in (["dense", "out"], ["out", "dense"], ["b", "conc.*"]):
        assert _text(ours["fn"], layer_range=layer_range) \
            == _text(theirs["fn"], layer_range=layer_range)


@pytest.mark.parametrize("first_use", ["call", "fit"])
def test_subclassed_model_summary_after_first_use_matches_keras(first_use):
    """Layers built by a direct call record that batch's size, as Keras's;
    fit builds them with batch None. (After `build((None, 5))` Keras 3.15
    leaves this model's layers unbuilt, "0 (unbuilt)"; keraslite builds
    them, as `build` promises.)"""
    texts = []
    for lib in (keraslite, keras):
        model = _subclassed(lib)
        x = np.zeros((6, 5), "float32")
        if first_use == "call":
            model(x)
        elif first_use == "fit":
            model.compile("sgd", "mse")
            model.fit(x, np.zeros((6, 2), "float32"), batch_size=4, verbose=0)
        texts.append(_text(model))
    assert texts[0].splitlines() == texts[1].splitlines()
