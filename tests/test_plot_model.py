"""`utils.plot_model` / `utils.model_to_dot`: Keras's errors without pydot or
Graphviz, and a real drawing when both are installed (they are optional)."""
import sys

import pytest

import keraslite
from keraslite import layers
from keraslite.utils import model_visualization


def _model():
    a = keraslite.Input((8,), name="a")
    b = keraslite.Input((4,), name="b")
    d = layers.Dense(4, activation="relu", name="dense")(a)
    out = layers.Dense(2, name="out")(layers.Concatenate(name="cat")([d, b]))
    return keraslite.Model([a, b], out, name="fn")


NOTEBOOK = "IPython.core.magics.namespace"  # Keras's test for "under IPython"


@pytest.fixture
def no_pydot(monkeypatch):
    for name in ("pydot", "pydot_ng", "pydotplus"):
        monkeypatch.setitem(sys.modules, name, None)  # import raises ImportError
    monkeypatch.delitem(sys.modules, NOTEBOOK, raising=False)


def test_without_pydot_raises_keras_import_errors(no_pydot, tmp_path):
    with pytest.raises(ImportError, match=r"You must install pydot \(`pip install "
                                          r"pydot`\) for `plot_model` to work\."):
        keraslite.utils.plot_model(_model(), to_file=str(tmp_path / "m.png"))
    with pytest.raises(ImportError, match="for model_to_dot to work"):
        keraslite.utils.model_to_dot(_model())
    assert not (tmp_path / "m.png").exists()


def test_under_ipython_a_missing_pydot_or_graphviz_is_printed_not_raised(
        no_pydot, monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, NOTEBOOK, sys)  # any module object
    assert keraslite.utils.plot_model(_model(), to_file=str(tmp_path / "m.png")) is None
    assert capsys.readouterr().out == ("You must install pydot (`pip install pydot`) "
                                       "for `plot_model` to work.\n")
    monkeypatch.setattr(model_visualization, "check_pydot", lambda: True)
    monkeypatch.setattr(model_visualization, "check_graphviz", lambda: False)
    assert keraslite.utils.plot_model(_model(), to_file=str(tmp_path / "m.png")) is None
    assert "You must install graphviz" in capsys.readouterr().out
    assert not (tmp_path / "m.png").exists()
    with pytest.raises(ImportError, match="for model_to_dot to work"):
        keraslite.utils.model_to_dot(_model())  # Keras raises here even so


def test_without_graphviz_raises_keras_import_error(monkeypatch, tmp_path):
    pytest.importorskip("pydot", reason="pydot/graphviz not installed")
    monkeypatch.delitem(sys.modules, NOTEBOOK, raising=False)
    monkeypatch.setattr(model_visualization, "check_graphviz", lambda: False)
    with pytest.raises(ImportError, match=r"You must install graphviz \(see "
                                          r"instructions at https://graphviz"):
        keraslite.utils.plot_model(_model(), to_file=str(tmp_path / "m.png"))


def test_unbuilt_model_and_bad_kwargs():
    class Sub(keraslite.Model):
        def call(self, x):
            return x

    with pytest.raises(ValueError, match="has not yet been built"):
        keraslite.utils.plot_model(Sub())
    if model_visualization.check_pydot():
        with pytest.raises(ValueError, match="layer_range"):
            keraslite.utils.model_to_dot(_model(), layer_range=["a", "b"])


needs_graphviz = pytest.mark.skipif(not model_visualization.check_graphviz(),
                                    reason="pydot/graphviz not installed")


@needs_graphviz
def test_model_to_dot_nodes_labels_and_edges():
    model = _model()
    dot = keraslite.utils.model_to_dot(model, show_shapes=True,
                                       show_layer_activations=True)
    names = {str(id(la)): la.name for la in model.layers}
    edges = sorted((names[e.get_source()], names[e.get_destination()])
                   for e in dot.get_edges())
    assert edges == [("a", "dense"), ("b", "cat"), ("cat", "out"), ("dense", "cat")]
    label = dot.get_node(str(id(model.get_layer("dense"))))[0].get("label")
    assert "<b>dense</b> (Dense)" in label and "Activation: <b>relu</b>" in label
    assert "Input shape: <b>(None, 8)</b>" in label
    assert "Output shape: <b>(None, 4)</b>" in label


@needs_graphviz
@pytest.mark.parametrize("suffix,magic", [("png", b"\x89PNG"), ("pdf", b"%PDF")])
def test_plot_model_writes_the_file(tmp_path, suffix, magic):
    # As Keras: the format is the extension's (IPython's Image, returned for
    # a non-PDF when IPython is installed, cannot embed every format).
    path = tmp_path / f"model.{suffix}"
    keraslite.utils.plot_model(_model(), to_file=path, show_shapes=True,
                               expand_nested=True, dpi=50)
    assert path.read_bytes().startswith(magic)
