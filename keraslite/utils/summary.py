"""`model.summary()`: Keras 3's table of layers, shapes and parameter counts."""


def _format_bytes(n):
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.2f} {unit}"
        size /= 1024


def _count_line(label, count):
    return f" {label}: {count:,} ({_format_bytes(count * 4)})"


def _shape(shape):
    return "?" if shape is None else str(tuple(shape))


def print_summary(model, line_length=None, print_fn=None):
    """Prints the summary table of a Sequential model."""
    print_fn = print_fn or print
    widths = [33, 24, 15]
    if line_length:
        widths[0] = max(10, line_length - sum(widths[1:]) - 4)

    def row(cells, left, mid, right, align=("<", "<", ">")):
        parts = [f" {c:{a}{w - 2}} " for c, w, a in zip(cells, widths, align)]
        return left + mid.join(parts) + right

    def rule(left, mid, right, fill):
        return left + mid.join(fill * w for w in widths) + right

    lines = [f'Model: "{model.name}"']
    lines.append(rule("┏", "┳", "┓", "━"))
    lines.append(row(("Layer (type)", "Output Shape", "Param #"), "┃", "┃", "┃",
                     ("<", "<", ">")))
    lines.append(rule("┡", "╇", "┩", "━"))
    layers = model.layers
    for i, layer in enumerate(layers):
        params = f"{layer.count_params():,}" if layer.built else "0 (unbuilt)"
        shape = _shape(layer.output_shape) if layer.built else "?"
        lines.append(row((f"{layer.name} ({type(layer).__name__})", shape, params),
                         "│", "│", "│"))
        if i < len(layers) - 1:
            lines.append(rule("├", "┼", "┤", "─"))
    lines.append(rule("└", "┴", "┘", "─"))
    trainable = sum(w.value.size for w in model.trainable_weights)
    non_trainable = sum(w.value.size for w in model.non_trainable_weights)
    optimizer = getattr(model, "optimizer", None)
    optimizer_params = 0
    if optimizer is not None and optimizer.built:
        optimizer_params = sum(v.value.size for v in optimizer.variables)
    lines.append(_count_line("Total params", trainable + non_trainable
                             + optimizer_params))
    lines.append(_count_line("Trainable params", trainable))
    lines.append(_count_line("Non-trainable params", non_trainable))
    if optimizer_params:
        lines.append(_count_line("Optimizer params", optimizer_params))
    for line in lines:
        print_fn(line)
