"""`model.summary()`: Keras 3's table of layers, shapes and parameter counts.

Keras draws the table with `rich` (`keras/src/utils/summary_utils.py`);
this module draws the same characters without it. The parts of rich that
decide the layout are copied here in a few lines each:
- column widths: Keras's positions give each column a width; rich adds
  one space of padding on each side, then takes the overflow (padding and
  borders) back from the columns one by one (`rich._ratio.ratio_reduce`);
- cells wrap at word boundaries (`rich._wrap.divide_line`) and a word too
  long for its cell ends in "…";
- every printed line is cropped to the console's width (rich's `Console`
  reads COLUMNS, else the terminal, else 80).
"""
import os
import re
import shutil

from keraslite.ops.node import flatten, map_structure

_WORD = re.compile(r"\s*\S+\s*")
_BYTES_PER_DTYPE = {"float16": 2, "bfloat16": 2, "float32": 4, "float64": 8,
                    "int8": 1, "uint8": 1, "int16": 2, "int32": 4, "int64": 8,
                    "bool": 1}


# --- what rich does with text and widths ---------------------------------------------
def _console_width():
    """The width rich's Console prints at: COLUMNS, else a terminal's, else 80."""
    width = None
    for fd in (0, 1, 2):
        try:
            width = os.get_terminal_size(fd).columns
            break
        except (AttributeError, ValueError, OSError):
            pass
    columns = os.environ.get("COLUMNS")
    if columns is not None and columns.isdigit():
        width = int(columns)
    return width or 80


def _break_positions(text, width, fold):
    """Where rich breaks `text` to wrap it at `width` (`divide_line`)."""
    breaks, offset = [], 0
    for match in _WORD.finditer(text):
        start, word = match.start(), match.group(0)
        length = len(word.rstrip())
        if width - offset >= length:
            offset += len(word)
        elif length > width:
            if fold:
                pieces = [word[i:i + width] for i in range(0, len(word), width)]
                for i, piece in enumerate(pieces):
                    if start:
                        breaks.append(start)
                    if i == len(pieces) - 1:
                        offset = len(piece)
                    else:
                        start += len(piece)
            else:
                if start:
                    breaks.append(start)
                offset = len(word)
        elif offset and start:
            breaks.append(start)
            offset = len(word)
    return breaks


def _truncate(line, width):
    return line[:width - 1] + "…" if len(line) > width else line


def wrap(text, width, justify="left", overflow="ellipsis"):
    """`text` wrapped as rich wraps a cell: lines of exactly `width` characters.

    `justify` is "left", "right", "center" or None (no padding, as the lines
    rich prints outside the table).
    """
    lines = []
    for paragraph in text.split("\n"):
        breaks = _break_positions(paragraph, width, fold=overflow == "fold")
        bounds = [0] + breaks + [len(paragraph)]
        for start, end in zip(bounds, bounds[1:]):
            line = paragraph[start:end]
            if len(line) > width:  # drop trailing spaces beyond the width
                spaces = len(line) - len(line.rstrip())
                line = line[:len(line) - min(spaces, len(line) - width)]
            if justify is None:
                line = line[:width] if overflow == "fold" else _truncate(line, width)
            elif justify == "left":
                line = _truncate(line, width).ljust(width)
            elif justify == "right":
                line = _truncate(line.rstrip(), width).rjust(width)
            else:  # center
                line = _truncate(line.rstrip(), width)
                left = (width - len(line)) // 2
                line = (" " * left + line).ljust(width)
            lines.append(line)
    return lines


def _reduce(total, maximums, values):
    """`rich._ratio.ratio_reduce` with equal ratios: `total` taken from `values`."""
    ratios = [1 if m else 0 for m in maximums]
    total_ratio = sum(ratios)
    if not total_ratio:
        return list(values)
    result, remaining = [], total
    for ratio, maximum, value in zip(ratios, maximums, values):
        if ratio and total_ratio > 0:
            taken = min(maximum, round(ratio * remaining / total_ratio))
            result.append(value - taken)
            remaining -= taken
            total_ratio -= ratio
        else:
            result.append(value)
    return result


def table_widths(column_widths, line_length):
    """Each column's width inside the borders, as rich lays out Keras's table.

    Keras asks for fixed column widths summing to `line_length` and a table
    `line_length` wide; rich adds 2 of padding per column, and takes the
    excess (padding plus borders) back evenly.
    """
    available = line_length - (len(column_widths) + 1)  # minus the borders
    if available < 1:
        return [0] * len(column_widths)
    widths = [min(w + 2, available) for w in column_widths]
    if sum(widths) > available:
        widths = _reduce(sum(widths) - available, widths, widths)
        widths = [max(0, min(w + 2, reduced)) for w, reduced in zip(column_widths, widths)]
    if sum(widths) < available:  # a table given a width expands to it
        remaining, ratio_left = available - sum(widths), sum(widths)
        grown = []
        for w in widths:  # rich._ratio.ratio_distribute
            add = -(-w * remaining // ratio_left) if ratio_left > 0 else remaining
            grown.append(w + add)
            ratio_left -= w
            remaining -= add
        widths = grown
    return widths


def render_table(header, alignment, widths, rows):
    """The lines of rich's HEAVY_HEAD table with `show_lines=True`.

    Args:
        header: Column titles.
        alignment: "left", "right" or "center" per column.
        widths: Column widths inside the borders (padding included).
        rows: Lists of cell strings.
    """
    def rule(left, mid, right, fill):
        return left + mid.join(fill * w for w in widths) + right

    def block(cells, edge, bottom=False):
        wrapped = [wrap(cell, max(w - 2, 0), justify)
                   for cell, w, justify in zip(cells, widths, alignment)]
        height = max(len(c) for c in wrapped)
        out = []
        for i in range(height):
            parts = []
            for lines, w in zip(wrapped, widths):
                pad = height - len(lines) if bottom else 0
                line = lines[i - pad] if 0 <= i - pad < len(lines) else ""
                parts.append((" " + line.ljust(w - 2) + " ")[:w])
            out.append(edge + edge.join(parts) + edge)
        return out

    lines = [rule("┏", "┳", "┓", "━")]
    lines += block(header, "┃", bottom=True)
    lines.append(rule("┡", "╇", "┩", "━"))
    for i, cells in enumerate(rows):
        lines += block(cells, "│")
        if i < len(rows) - 1:
            lines.append(rule("├", "┼", "┤", "─"))
    lines.append(rule("└", "┴", "┘", "─"))
    return lines


# --- the summary --------------------------------------------------------------------
def readable_memory_size(size):
    """Bytes as Keras writes them: "216.00 B", "1.50 KB", ..."""
    units = ["B", "KB", "MB", "GB", "TB", "PB"]
    for unit in units:
        if size / 1024 < 1:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} {units[-1]}"


def _memory_size(weights):
    unique = {id(w): w for w in weights}.values()
    return sum(int(w.value.size) * _BYTES_PER_DTYPE.get(str(w.value.dtype), 4)
               for w in unique)


def _count(weights):
    return sum(int(w.value.size) for w in weights)


def _format_shape(shape):
    return "(" + ", ".join(str(d) for d in shape) + ")"


def format_layer_shape(layer):
    """A layer's output shape as Keras prints it: "(None, 4)", "?", "[(...), (...)]"."""
    nodes = getattr(layer, "_inbound_nodes", [])
    if nodes:
        shapes = map_structure(lambda t: _format_shape(t.shape), nodes[-1].outputs)
    elif getattr(layer, "built", False) and getattr(layer, "output_shape", None) is not None:
        shapes = _shape_structure(layer.output_shape)
    else:
        return "?"
    flat = flatten(shapes)
    if len(flat) == 1:
        return flat[0]
    return str(shapes).replace("'", "")


def _shape_structure(shape):
    if isinstance(shape, tuple) and all(d is None or isinstance(d, int) for d in shape):
        return _format_shape(shape)
    if isinstance(shape, dict):
        return {k: _shape_structure(v) for k, v in shape.items()}
    return type(shape)(_shape_structure(s) for s in shape)


def _is_sequential_like(model):
    """Keras's test: one node per depth, one input per node, no shared layer."""
    from keraslite.models.functional import Functional

    if not isinstance(model, Functional):
        return True
    nodes = []
    for depth in sorted(model._nodes_by_depth):  # Keras's dict order: 0, 1, ...
        level = model._nodes_by_depth[depth]
        if len(level) > 1 or (len(level) == 1 and len(level[0].input_tensors) > 1):
            return False
        nodes += level
    for layer in model.layers:
        if sum(1 for node in layer._inbound_nodes
               if any(node is n for n in nodes)) > 1:
            return False
    return True


def get_layer_index_bound_by_layer_name(layers, layer_range=None):
    """`[first, last + 1]` of the layers whose names match `layer_range` (regexes)."""
    if layer_range is None:
        return [0, len(layers)]
    if len(layer_range) != 2:
        raise ValueError(
            "layer_range must be a list or tuple of length 2. Received: "
            f"layer_range = {layer_range} of length {len(layer_range)}"
        )
    if not isinstance(layer_range[0], str) or not isinstance(layer_range[1], str):
        raise ValueError(
            f"layer_range should contain string type only. Received: {layer_range}"
        )
    lower = [i for i, layer in enumerate(layers) if re.match(layer_range[0], layer.name)]
    upper = [i for i, layer in enumerate(layers) if re.match(layer_range[1], layer.name)]
    if not lower or not upper:
        raise ValueError(
            "Passed layer_names do not match the layer names in the model. "
            f"Received: {layer_range}"
        )
    if min(lower) > max(upper):
        return [min(upper), max(lower) + 1]
    return [min(lower), max(upper) + 1]


def print_summary(model, line_length=None, positions=None, print_fn=None,
                  expand_nested=False, show_trainable=False, layer_range=None):
    """Prints Keras 3's summary table of `model` (see `Model.summary`).

    As Keras, `print_fn` is called once, with the whole table as one string
    ending in a newline; without it the table is printed.
    """
    sequential_like = _is_sequential_like(model)
    if sequential_like:
        default_line_length = 88
        positions = positions or [0.45, 0.80, 1.0]
        header = ["Layer (type)", "Output Shape", "Param #"]
        alignment = ["left", "left", "right"]
        relevant_nodes = []
    else:
        default_line_length = 108
        positions = positions or [0.3, 0.56, 0.74, 1.0]
        header = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
        alignment = ["left", "left", "right", "left"]
        relevant_nodes = [n for depth in sorted(model._nodes_by_depth)
                          for n in model._nodes_by_depth[depth]]
    if show_trainable:
        default_line_length += 12
        positions = [p * 0.90 for p in positions] + [1.0]
        header.append("Trainable")
        alignment.append("center")

    default_line_length = min(default_line_length,
                              shutil.get_terminal_size().columns - 4)
    line_length = line_length or default_line_length
    column_widths, current = [], 0
    for pos in positions:
        width = int(pos * line_length) - current
        if width < 4:
            raise ValueError("Insufficient console width to print summary.")
        column_widths.append(width)
        current += width

    def connections(layer):
        found = []
        for node in layer._inbound_nodes:
            if relevant_nodes and not any(node is n for n in relevant_nodes):
                continue  # a node of another graph
            for tensor in node.input_tensors:
                inbound, node_index, tensor_index = tensor._keras_history
                found.append(f"{inbound.name}[{node_index}][{tensor_index}]")
        return ", ".join(found) or "-"

    def fields(layer, prefix):
        if not hasattr(layer, "built"):
            params = "0"
        elif not layer.built:
            params = "0 (unbuilt)"
        else:
            params = f"{layer.count_params():,}"
        row = [f"{prefix}{layer.name} ({type(layer).__name__})",
               format_layer_shape(layer), params]
        if not sequential_like:
            row.append(connections(layer))
        if show_trainable:
            if getattr(layer, "weights", None):
                row.append("Y" if layer.trainable else "N")
            else:
                row.append("-")
        return row

    def layer_rows(layer, level=0):
        rows = [fields(layer, "   " * level + "└ " if level else "")]
        nested = getattr(layer, "layers", None) if expand_nested else None
        for inner in nested or []:
            rows += layer_rows(inner, level + 1)
        return rows

    layers = model.layers
    first, last = get_layer_index_bound_by_layer_name(layers, layer_range)
    rows = [row for layer in layers[first:last] for row in layer_rows(layer)]

    trainable = model.trainable_weights
    non_trainable = model.non_trainable_weights
    optimizer = getattr(model, "optimizer", None)
    optimizer_vars = list(optimizer.variables) if (
        optimizer is not None and getattr(optimizer, "built", False)) else None
    total_count = _count(trainable) + _count(non_trainable) + _count(optimizer_vars or [])
    total_size = (_memory_size(trainable) + _memory_size(non_trainable)
                  + _memory_size(optimizer_vars or []))

    console_width = _console_width()
    widths = table_widths(column_widths, line_length)
    lines = wrap(f'Model: "{model.name}"', console_width, justify=None,
                 overflow="fold")
    lines += [line[:console_width] for line in
              render_table(header, alignment, widths, rows)]
    counts = [("Total params", total_count, total_size),
              ("Trainable params", _count(trainable), _memory_size(trainable)),
              ("Non-trainable params", _count(non_trainable),
               _memory_size(non_trainable))]
    if optimizer_vars is not None:
        counts.append(("Optimizer params", _count(optimizer_vars),
                       _memory_size(optimizer_vars)))
    for label, count, size in counts:
        lines += wrap(f" {label}: {count:,} ({readable_memory_size(size)})",
                      console_width, justify=None, overflow="fold")
    text = "\n".join(lines) + "\n"
    if print_fn is None:
        print(text, end="")
    else:
        print_fn(text)
