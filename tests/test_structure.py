"""The dependency direction DESIGN.md asks for: saving sits beside the model
flow and finds classes by name through `keraslite.registry`, so no module
of `keraslite/saving/` imports layers, models, trainers or the families
whose objects it writes."""
import ast
from pathlib import Path

import keraslite

SAVING = Path(keraslite.__file__).parent / "saving"
FORBIDDEN = ("layers", "models", "trainers", "losses", "metrics", "optimizers",
             "initializers", "regularizers", "constraints", "callbacks")


def _imports(path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield node.module, [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, []


def test_saving_imports_none_of_the_model_flow():
    offending = []
    for path in sorted(SAVING.glob("*.py")):
        for module, names in _imports(path):
            parts = module.split(".")
            if parts[0] != "keraslite":
                continue
            target = parts[1] if len(parts) > 1 else None
            targets = [target] if target else names
            offending += [f"{path.name}: {module} {names}" for t in targets
                          if t in FORBIDDEN]
    assert not offending, offending


def test_every_family_registers_its_classes():
    from keraslite import registry

    assert registry.builtin("layers", "Dense") is keraslite.layers.Dense
    assert registry.builtin("models", "Sequential") is keraslite.Sequential
    assert registry.builtin("base", "Layer") is keraslite.layers.Layer
    for family, table in (("losses", keraslite.losses.ALL_CLASSES),
                          ("metrics", keraslite.metrics.ALL_CLASSES),
                          ("optimizers", keraslite.optimizers.ALL_OPTIMIZERS),
                          ("initializers", keraslite.initializers.ALL_INITIALIZERS),
                          ("regularizers", keraslite.regularizers.ALL_CLASSES),
                          ("constraints", keraslite.constraints.ALL_CLASSES),
                          ("schedules", keraslite.optimizers.schedules.ALL_SCHEDULES),
                          ("layers", keraslite.layers.ALL_LAYERS)):
        assert registry.builtins(family) == table, family
