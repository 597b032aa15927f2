"""Bad inputs to fit/evaluate/predict/*_on_batch/__call__: one table.

Each row of tests/input_validation_cases.py is one call and what it must
give: an exception of exactly that type whose message matches, or a
result that passes the row's check. compat_tests/ runs the same rows on
real Keras.
"""
import numpy as np
import pytest

import keraslite
from keraslite.models import data as data_module
from tests.input_validation_cases import CASES, SAME, Differs


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_input_validation_table(case):
    if case.raises is None:
        case.check(case.call(keraslite), keraslite)
        return
    with pytest.raises(Exception) as info:
        case.call(keraslite)
    assert type(info.value) is case.raises, repr(info.value)
    info.match("(?s)" + case.match)


def test_table_rows_are_well_formed():
    names = [c.name for c in CASES]
    assert len(names) == len(set(names))
    for case in CASES:
        assert (case.raises is None) == (case.check is not None), case.name
        assert case.raises is None or case.match, case.name
        assert case.keras == SAME or isinstance(case.keras, Differs), case.name


def test_check_finite_switch_is_restored_and_scans_every_call():
    x = np.ones((4, 3), "float32")
    x[2, 1] = np.inf
    model = keraslite.Sequential([keraslite.Input((3,)), keraslite.layers.Dense(1)])
    data_module.set_check_finite(False)
    try:
        out = model.predict(x, verbose=0)
        assert not np.isfinite(out[2]).any() and np.isfinite(out[[0, 1, 3]]).all()
    finally:
        data_module.set_check_finite(True)
    with pytest.raises(ValueError, match=r"index \(2, 1\)"):
        model.predict(x, verbose=0)


def test_validation_data_is_checked_once_per_fit(monkeypatch):
    """The per-epoch validation reuses the arrays fit already checked."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 3)).astype("float32")
    y = rng.normal(size=(32, 1)).astype("float32")
    model = keraslite.Sequential([keraslite.Input((3,)), keraslite.layers.Dense(1)])
    model.compile("sgd", "mse")
    scanned = []
    real = data_module.check_finite
    monkeypatch.setattr(data_module, "check_finite",
                        lambda a, name: (scanned.append(name), real(a, name)))
    history = model.fit(x, y, epochs=5, verbose=0, validation_data=(x, y))
    assert len(history.history["val_loss"]) == 5
    # x, y, sample_weight of the training data, then of the validation data.
    assert scanned == ["x", "y"] * 2
    scanned.clear()
    history = model.fit(x, y, epochs=3, verbose=0, validation_split=0.25)
    assert len(history.history["val_loss"]) == 3
    assert scanned == ["x", "y"]  # the split is not rescanned


def test_reliability_table_names_every_row():
    """The README's Reliability table (docs/reliability.md until merged)
    lists every row of the test table by name."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    text = "".join(p.read_text() for p in (root / "README.md",
                                           root / "docs" / "reliability.md")
                   if p.exists())
    missing = [c.name for c in CASES if f"`{c.name}`" not in text]
    assert not missing, f"rows missing from the Reliability table: {missing}"
