"""compile()'s arguments as the `compile_config` Keras 3 writes in files,
and back: `Model.get_compile_config()` / `Model.compile_from_config()`.

Only keraslite's built-in losses, metrics and optimizers are written; a
file's config is screened (`saving.serialization.screen`) before anything
is rebuilt from it.
"""
from keraslite import losses as losses_module
from keraslite import metrics as metrics_module
from keraslite import optimizers as optimizers_module
from keraslite.saving._io import FileFormatError
from keraslite.saving.serialization import screen


def get_compile_config(model):
    """The `compile_config` Keras 3 writes for a compiled model."""
    return {
        "optimizer": optimizers_module.serialize(model.optimizer),
        "loss": _serialize_loss(model.loss),
        "loss_weights": getattr(model, "loss_weights", None),
        "metrics": _serialize_metrics(model._metric_identifiers),
        "weighted_metrics": _serialize_metrics(
            model._weighted_metric_identifiers
        ),
        "run_eagerly": False,
        "steps_per_execution": 1,
        "jit_compile": False,
    }


def _serialize_loss(loss):
    """A loss, or a list or dict of losses (one per output), for a file."""
    if isinstance(loss, dict):
        return {k: None if v is None else _serialize_one_loss(v)
                for k, v in loss.items()}
    if isinstance(loss, (list, tuple)):
        return [None if v is None else _serialize_one_loss(v) for v in loss]
    return _serialize_one_loss(loss)


def _serialize_one_loss(loss):
    if isinstance(loss, str):
        return loss
    if isinstance(loss, type) and issubclass(loss, losses_module.Loss):
        loss = loss()
    if isinstance(loss, losses_module.Loss) and \
            type(loss).__name__ not in losses_module.ALL_CLASSES:
        raise ValueError(
            f"Cannot save the custom loss {loss!r}: only keraslite's built-in "
            f"losses can be saved ({', '.join(sorted(losses_module.ALL_CLASSES))})."
        )
    try:
        return losses_module.serialize(loss)
    except ValueError:
        raise ValueError(
            f"Cannot save the loss {loss!r}: only keraslite's built-in losses "
            "can be saved to a Keras file."
        ) from None


def _serialize_metrics(identifiers):
    """Metrics: a list, a list of lists or a dict of lists (per output)."""
    if not identifiers:
        return None
    if isinstance(identifiers, dict):
        return {k: _serialize_metrics(v if isinstance(v, (list, tuple)) else [v])
                for k, v in identifiers.items()}
    if not isinstance(identifiers, (list, tuple)):
        identifiers = [identifiers]
    if any(isinstance(m, (list, tuple)) for m in identifiers):
        return [_serialize_metrics(list(m) if isinstance(m, (list, tuple)) else [m])
                or [] for m in identifiers]
    out = []
    for metric in identifiers:
        if isinstance(metric, str):
            out.append(metric)
            continue
        if isinstance(metric, type) and issubclass(metric, metrics_module.Metric):
            metric = metric()
        if isinstance(metric, metrics_module.Metric):
            if type(metric).__name__ not in metrics_module.ALL_CLASSES:
                raise ValueError(
                    f"Cannot save the metric {metric!r}: only keraslite's "
                    "built-in metric classes can be saved."
                )
            out.append(metrics_module.serialize(metric))
            continue
        names = [k for k, fn in metrics_module.ALL_FUNCTIONS.items()
                 if fn is metric]
        if not names:
            raise ValueError(
                f"Cannot save the metric {metric!r}: only keraslite's "
                "built-in metrics can be saved to a Keras file."
            )
        out.append(names[0])
    return out


def compile_from_config(model, config):
    """Compiles `model` from a Keras 3 compile_config.

    Returns False (and leaves the model uncompiled) when the config has no
    loss, which keraslite needs to train.
    """
    if not isinstance(config, dict):
        raise FileFormatError("The compile/training config must be a JSON object.")
    config = screen(config, where="compile_config")
    optimizer = config.get("optimizer")
    loss = _deserialize_loss(config.get("loss"))
    if loss is None:
        return False
    metrics = _deserialize_metrics(config.get("metrics"), "metrics")
    weighted = _deserialize_metrics(config.get("weighted_metrics"),
                                    "weighted_metrics")
    optimizer = deserialize_optimizer(optimizer)
    try:
        model.compile(optimizer=optimizer, loss=loss, metrics=metrics,
                      weighted_metrics=weighted,
                      loss_weights=config.get("loss_weights"))
    except (ValueError, TypeError) as e:
        raise FileFormatError(f"Could not compile the model from the file: {e}") from e
    return True


def deserialize_optimizer(config):
    """An optimizer from a name or a Keras 3 / Keras 2 optimizer config."""
    if config is None:
        return optimizers_module.get("rmsprop")
    try:
        if isinstance(config, str):
            return optimizers_module.get(config)
        if not isinstance(config, dict):
            raise FileFormatError(f"Invalid optimizer config {config!r}.")
        name = config.get("class_name")
        if not isinstance(name, str) or name not in optimizers_module._REGISTRY:
            raise FileFormatError(
                f"Unsupported optimizer {name!r}; keraslite supports "
                f"{', '.join(sorted(optimizers_module.ALL_OPTIMIZERS))}."
            )
        params = config.get("config") or {}
        if not isinstance(params, dict):
            raise FileFormatError(f"Invalid config for optimizer {name}.")
        params = dict(params)
        for key in ("is_legacy_optimizer", "jit_compile"):
            params.pop(key, None)
        if "lr" in params:  # Keras 2.0-2.2
            params.setdefault("learning_rate", params.pop("lr"))
        decay = params.pop("decay", 0.0)
        if decay not in (0, 0.0, None):
            raise FileFormatError(
                f"The optimizer uses Keras 2's `decay={decay}`, which Keras 3 "
                "and keraslite do not support."
            )
        return optimizers_module._REGISTRY[name].from_config(params)
    except FileFormatError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError, ImportError,
            OverflowError) as e:
        raise FileFormatError(f"Could not rebuild the optimizer: {e}") from e


_LOSS_REDUCTIONS = {"auto": "sum_over_batch_size",
                    "sum_over_batch_size": "sum_over_batch_size"}


def _deserialize_loss(config):
    if config is None:
        return None
    if isinstance(config, dict) and "class_name" not in config:
        return {k: _deserialize_loss(v) for k, v in config.items()}  # per output
    if isinstance(config, list):
        if len(config) == 1:
            return _deserialize_loss(config[0])
        return [_deserialize_loss(v) for v in config]
    try:
        if isinstance(config, str):
            losses_module.get(config)
            return config
        if isinstance(config, dict):
            params = dict(config.get("config") or {})
            reduction = params.get("reduction")
            if reduction in _LOSS_REDUCTIONS:
                params["reduction"] = _LOSS_REDUCTIONS[reduction]
            return losses_module.deserialize(
                {"class_name": config["class_name"], "config": params}
            )
    except FileFormatError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError) as e:
        raise FileFormatError(f"Could not rebuild the loss {config!r}: {e}") from e
    raise FileFormatError(f"Invalid loss config {config!r}.")


_WRAPPED_METRICS = {
    "accuracy": metrics_module.Accuracy,
    "binary_accuracy": metrics_module.BinaryAccuracy,
    "categorical_accuracy": metrics_module.CategoricalAccuracy,
    "sparse_categorical_accuracy": metrics_module.SparseCategoricalAccuracy,
    "mean_squared_error": metrics_module.MeanSquaredError,
    "mean_absolute_error": metrics_module.MeanAbsoluteError,
}


def _deserialize_metrics(config, key):
    if config is None:
        return None
    if isinstance(config, dict) and "class_name" not in config:
        return {k: _deserialize_metrics(v, key) or [] for k, v in config.items()}
    if not isinstance(config, list):
        config = [config]
    if len(config) > 1 and all(isinstance(item, list) for item in config):
        return [_deserialize_metrics(item, key) or [] for item in config]
    flat = []
    for item in config:  # Keras 2 nests one list per output
        flat.extend(item if isinstance(item, list) else [item])
    return [_deserialize_metric(item) for item in flat]


def _deserialize_metric(config):
    try:
        if isinstance(config, str):
            if config.lower() not in ("accuracy", "acc"):
                metrics_module.get(config)
            return config
        if isinstance(config, dict):
            params = dict(config.get("config") or {})
            if config["class_name"] == "MeanMetricWrapper":  # Keras 2
                fn = params.pop("fn", None)
                if fn not in _WRAPPED_METRICS:
                    raise FileFormatError(f"Unsupported metric function {fn!r}.")
                return _WRAPPED_METRICS[fn].from_config(params)
            return metrics_module.deserialize(
                {"class_name": config["class_name"], "config": params}
            )
    except FileFormatError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError) as e:
        raise FileFormatError(f"Could not rebuild the metric {config!r}: {e}") from e
    raise FileFormatError(f"Invalid metric config {config!r}.")
