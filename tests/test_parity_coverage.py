"""Every public function and class of keraslite has a row in the parity table.

The table (compat_tests/parity.py) loads TensorFlow only when a row runs, so
this test reads the rows' `covers` without TensorFlow.
"""
import inspect

import pytest

import keraslite
from compat_tests.parity import ROWS

MODULES = ["activations", "losses", "metrics", "initializers", "optimizers",
           "regularizers", "constraints", "layers"]
# Helpers that modules import for their own use, not part of their API.
_PRIVATE_HOMES = ("keraslite.registry", "keraslite.utils.naming",
                  "keraslite.backend")


def public_names(module_name):
    """Public functions and classes reachable as `keraslite.<module>.<name>`."""
    module = getattr(keraslite, module_name)
    names = []
    for name, obj in vars(module).items():
        if name.startswith("_") or not (inspect.isfunction(obj)
                                        or inspect.isclass(obj)):
            continue
        home = getattr(obj, "__module__", "") or ""
        if not home.startswith("keraslite") or home.startswith(_PRIVATE_HOMES):
            continue
        names.append(f"{module_name}.{name}")
    return sorted(names)


ALL_PUBLIC = [n for m in MODULES for n in public_names(m)] + [
    "utils.to_categorical"]
COVERED = {name for row in ROWS for name in row.covers}


def test_every_module_has_public_names():
    for module_name in MODULES:
        assert public_names(module_name), module_name


@pytest.mark.parametrize("name", ALL_PUBLIC)
def test_public_name_has_parity_row(name):
    assert name in COVERED, (
        f"keraslite.{name} has no row in compat_tests/parity.py; add one whose "
        "`covers` names it.")


def test_row_names_are_unique_and_cover_real_names():
    names = [row.name for row in ROWS]
    assert len(names) == len(set(names))
    for row in ROWS:
        for covered in row.covers:
            module_name, _, attr = covered.partition(".")
            assert hasattr(getattr(keraslite, module_name), attr), (
                f"row {row.name!r} covers {covered!r}, which does not exist")
