"""`plot_model` and `model_to_dot`: Keras 3's graph of a model, drawn by Graphviz.

As `keras/src/utils/model_visualization.py`: one node per layer (an HTML
table label: name and class, then optional activation, shapes, dtype,
trainable), an edge per connection, nested models as dashed clusters with
`expand_nested`. pydot and Graphviz's `dot` are optional and imported only
here, when a model is drawn.
"""
import os
import sys

from keraslite.ops.node import map_structure


def _pydot():
    """The pydot module (or one of its older forks), or None."""
    for name in ("pydot", "pydot_ng", "pydotplus"):
        try:
            return __import__(name)
        except ImportError:
            continue
    return None


def check_pydot():
    """Returns True if pydot is available."""
    return _pydot() is not None


def check_graphviz():
    """Returns True if pydot and Graphviz (the `dot` program) are available."""
    pydot = _pydot()
    if pydot is None:
        return False
    try:
        pydot.Dot.create(pydot.Dot())  # draws a blank graph
        return True
    except (OSError, pydot.PydotException):
        return False


def _is_graph_model(layer):
    from keraslite.models.functional import Functional
    from keraslite.models.sequential import Sequential

    return isinstance(layer, (Functional, Sequential))


def _add_edge(pydot, dot, src, dst):
    src_id, dst_id = str(id(src)), str(id(dst))
    if not dot.get_edge(src_id, dst_id):
        edge = pydot.Edge(src_id, dst_id)
        edge.set("penwidth", "2")
        dot.add_edge(edge)


def _activation_name(layer):
    activation = layer.activation
    if hasattr(activation, "name"):
        return activation.name
    if hasattr(activation, "__name__"):
        return activation.__name__
    return str(activation)


def _first_node(layer):
    nodes = getattr(layer, "_inbound_nodes", [])
    return nodes[0] if nodes else None


def _format_shape(shape):
    if shape is None:
        return "?"
    if isinstance(shape, dict):
        text = ", ".join(f"{k}: {v}" for k, v in shape.items())
    else:
        text = f"{shape}"
    return text.replace("}", "").replace("{", "")


def make_layer_label(layer, show_layer_names, show_layer_activations,
                     show_dtype, show_shapes, show_trainable):
    """The HTML-like Graphviz label Keras gives a layer's node."""
    class_name = type(layer).__name__
    table = '<<table border="0" cellborder="1" bgcolor="black" cellpadding="10">'
    colspan = max(1, int(show_dtype) + int(show_trainable) + (2 if show_shapes else 0))
    title = (f"<b>{layer.name}</b> ({class_name})" if show_layer_names
             else f"<b>{class_name}</b>")
    table += (f'<tr><td colspan="{colspan}" bgcolor="black">'
              f'<font point-size="16" color="white">{title}</font></td></tr>')
    if show_layer_activations and getattr(layer, "activation", None) is not None:
        table += (f'<tr><td bgcolor="white" colspan="{colspan}">'
                  '<font point-size="14">'
                  f"Activation: <b>{_activation_name(layer)}</b>"
                  "</font></td></tr>")
    node = _first_node(layer)
    cols = []
    if show_shapes:
        input_shape = output_shape = None
        if node is not None:
            input_shape = map_structure(lambda t: t.shape, node.arguments)
            output_shape = map_structure(lambda t: t.shape, node.outputs)
        elif layer.built:  # a layer of a Sequential keeps its shapes itself
            input_shape, output_shape = layer.input_shape, layer.output_shape
        if class_name != "InputLayer":
            cols.append('<td bgcolor="white"><font point-size="14">'
                        f"Input shape: <b>{_format_shape(input_shape)}</b>"
                        "</font></td>")
        cols.append('<td bgcolor="white"><font point-size="14">'
                    f"Output shape: <b>{_format_shape(output_shape)}</b>"
                    "</font></td>")
    if show_dtype:
        dtype = None
        if node is not None:
            dtype = map_structure(lambda t: t.dtype, node.outputs)
        elif layer.built:
            dtype = layer.dtype
        cols.append('<td bgcolor="white"><font point-size="14">'
                    f"Output dtype: <b>{dtype or '?'}</b></font></td>")
    if show_trainable and layer.weights:
        if layer.trainable:
            cols.append('<td bgcolor="forestgreen"><font point-size="14" '
                        'color="white"><b>Trainable</b></font></td>')
        else:
            cols.append('<td bgcolor="firebrick"><font point-size="14" '
                        'color="white"><b>Non-trainable</b></font></td>')
    if cols:
        table += f"<tr>{''.join(cols)}</tr>"
    return table + "</table>>"


def _make_node(pydot, layer, label_options):
    node = pydot.Node(str(id(layer)), label=make_layer_label(layer, **label_options))
    node.set("fontname", "Helvetica")
    node.set("border", "0")
    node.set("margin", "0")
    return node


def _check_built(model):
    if not model.built:
        raise ValueError(
            "This model has not yet been built. Build the model first by "
            "calling `build()` or by calling the model on a batch of data."
        )


def _check_kwargs(kwargs):
    if kwargs.pop("layer_range", None) is not None:
        raise ValueError("Argument `layer_range` is no longer supported.")
    if kwargs:
        raise ValueError(f"Unrecognized keyword arguments: {kwargs}")


def _source_layer(source, output_index):
    """The real layer behind output `output_index` of a (nested) model."""
    from keraslite.models.sequential import Sequential

    while _is_graph_model(source):
        if isinstance(source, Sequential):
            source, output_index = source.layers[-1], 0
        else:
            source, _, output_index = source.outputs[output_index]._keras_history
    return source


def _destination_layer(destination, input_index):
    """The real layer that input `input_index` of a (nested) model enters."""
    from keraslite.models.sequential import Sequential

    while _is_graph_model(destination):
        if isinstance(destination, Sequential):
            destination = destination.layers[0]
        else:
            destination = destination.inputs[input_index]._keras_history[0]
    return destination


def model_to_dot(model, show_shapes=False, show_dtype=False, show_layer_names=True,
                 rankdir="TB", expand_nested=False, dpi=200, subgraph=False,
                 show_layer_activations=False, show_trainable=False,
                 splines="ortho", **kwargs):
    """Converts a model to a `pydot.Dot` graph (a `pydot.Cluster` if `subgraph`).

    Args:
        model: A built keraslite model.
        show_shapes, show_dtype, show_layer_names, show_layer_activations,
            show_trainable: What each layer's box shows.
        rankdir: "TB" (vertical) or "LR" (horizontal).
        expand_nested: Whether nested models are drawn as clusters.
        dpi: Image resolution.
        splines: How edges are drawn ("ortho", "curved", "line", ...).

    Raises:
        ImportError: If pydot is not installed.
    """
    from keraslite.models.functional import Functional
    from keraslite.models.sequential import Sequential

    _check_built(model)
    pydot = _pydot()
    if pydot is None:
        raise ImportError(
            "You must install pydot (`pip install pydot`) for model_to_dot to work."
        )
    if subgraph:
        dot = pydot.Cluster(style="dashed", graph_name=model.name)
        dot.set("label", model.name)
        dot.set("labeljust", "l")
    else:
        dot = pydot.Dot()
        dot.set("rankdir", rankdir)
        dot.set("concentrate", True)
        dot.set("dpi", dpi)
        dot.set("splines", splines)
        dot.set_node_defaults(shape="record")
    _check_kwargs(kwargs)
    label_options = dict(show_layer_names=show_layer_names,
                         show_layer_activations=show_layer_activations,
                         show_dtype=show_dtype, show_shapes=show_shapes,
                         show_trainable=show_trainable)
    if not isinstance(model, (Functional, Sequential)):
        dot.add_node(_make_node(pydot, model, label_options))  # one box
        return dot

    layers = model.layers
    if isinstance(model, Sequential):
        layers = [la for la in layers if type(la).__name__ != "InputLayer"]
    for layer in layers:
        if expand_nested and _is_graph_model(layer):
            dot.add_subgraph(model_to_dot(
                layer, show_shapes, show_dtype, show_layer_names, rankdir,
                expand_nested, subgraph=True,
                show_layer_activations=show_layer_activations,
                show_trainable=show_trainable))
        else:
            dot.add_node(_make_node(pydot, layer, label_options))

    if isinstance(model, Sequential):
        # A stack: each layer feeds the next (keraslite keeps no graph nodes
        # inside a Sequential). Nested, the edge into the first layer is the
        # outer graph's.
        for src, dst in zip(layers, layers[1:]):
            if expand_nested:
                src, dst = _source_layer(src, 0), _destination_layer(dst, 0)
            _add_edge(pydot, dot, src, dst)
        return dot

    model_nodes = [n for depth in model._nodes_by_depth
                   for n in model._nodes_by_depth[depth]]
    for layer in layers:
        for node in layer._inbound_nodes:
            if not any(node is n for n in model_nodes):
                continue  # a call of the layer in another graph
            for input_index, tensor in enumerate(node.input_tensors):
                source, _, output_index = tensor._keras_history
                if not expand_nested:
                    _add_edge(pydot, dot, source, layer)
                    continue
                _add_edge(pydot, dot, _source_layer(source, output_index),
                          _destination_layer(layer, input_index))
    return dot


def _missing(message):
    """Keras's answer to a missing pydot or Graphviz: print under IPython (Keras
    tests for `IPython.core.magics.namespace` among the imported modules),
    raise ImportError elsewhere."""
    if "IPython.core.magics.namespace" in sys.modules:
        print(message)
        return None
    raise ImportError(message)


def plot_model(model, to_file="model.png", show_shapes=False, show_dtype=False,
               show_layer_names=False, rankdir="TB", expand_nested=False, dpi=200,
               show_layer_activations=False, show_trainable=False,
               splines="ortho", **kwargs):
    """Draws the model's graph to `to_file` (format from its extension) with Graphviz.

    Arguments as `model_to_dot` (Keras's default: `show_layer_names=False`).

    Returns:
        An `IPython.display.Image` of the file when IPython is installed
        (and the file is not a PDF), else None.

    Raises:
        ImportError: If pydot or Graphviz is not installed, except under IPython
            (a notebook), where the message is printed and None returned, as in
            Keras, so that a notebook without Graphviz still runs to its end.

    Example:
    >>> keraslite.utils.plot_model(model, "model.png", show_shapes=True)
    """
    _check_built(model)
    if not check_pydot():
        return _missing("You must install pydot (`pip install pydot`) for "
                        "`plot_model` to work.")
    if not check_graphviz():
        return _missing("You must install graphviz (see instructions at "
                        "https://graphviz.gitlab.io/download/) for `plot_model` "
                        "to work.")
    _check_kwargs(kwargs)
    dot = model_to_dot(model, show_shapes=show_shapes, show_dtype=show_dtype,
                       show_layer_names=show_layer_names, rankdir=rankdir,
                       expand_nested=expand_nested, dpi=dpi,
                       show_layer_activations=show_layer_activations,
                       show_trainable=show_trainable, splines=splines)
    to_file = str(to_file)
    extension = os.path.splitext(to_file)[1][1:] or "png"
    dot.write(to_file, format=extension)
    if extension != "pdf":
        try:
            from IPython import display

            return display.Image(filename=to_file)
        except ImportError:
            pass
    return None
