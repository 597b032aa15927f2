"""Models: `Model`, `Sequential`, `load_model`, `save_model`, `clone_model`."""
from keraslite.models.functional import Functional
from keraslite.models.model import Model
from keraslite.models.sequential import Sequential
from keraslite import registry

registry.register_builtins("models", {"Model": Model, "Functional": Functional,
                                      "Sequential": Sequential})


def clone_model(model):
    """A new model with the same architecture and freshly initialised weights.

    Sequential and functional models (their layers are rebuilt from their
    configs); a subclassed model is rebuilt from its `get_config()`.
    """
    if isinstance(model, (Sequential, Functional)):
        return type(model).from_config(model.get_config())
    clone = type(model).from_config(model.get_config())
    shapes = getattr(model, "_build_shapes", None)
    if shapes:
        clone.build(shapes[0] if len(shapes) == 1 else shapes)
    return clone


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Loads a model saved as `.keras` or legacy `.h5` (by Keras or keraslite)."""
    from keraslite import saving

    return saving.load_model(filepath, custom_objects=custom_objects,
                             compile=compile, safe_mode=safe_mode)


def save_model(model, filepath, overwrite=True, zipped=None, **kwargs):
    """Saves a model; same as `model.save(filepath)`."""
    model.save(filepath, overwrite=overwrite, zipped=zipped, **kwargs)
