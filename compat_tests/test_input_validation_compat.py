"""The input validation table (tests/input_validation_cases.py) on real Keras.

For every row, the same call runs on keraslite and on Keras 3. Rows marked
SAME must raise the same exception type in both (or succeed in both, and
the row's check must hold for Keras's result too). Rows marked Differs are
keraslite's deliberate differences: the test confirms that Keras really
behaves as the row says, so the README's list stays true.
"""
import pytest

import keraslite
from tests.input_validation_cases import CASES, SAME


def outcome(case, lib):
    try:
        return case.call(lib), None
    except Exception as error:  # noqa: BLE001 - the type is what is compared
        return None, error


def describe(error):
    return "no error" if error is None else f"{type(error).__name__}: {error}"[:400]


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_same_exception_type_as_keras(case):
    import keras

    ours, our_error = outcome(case, keraslite)
    theirs, their_error = outcome(case, keras)
    assert type(our_error) is (case.raises or type(None)), describe(our_error)
    if case.keras == SAME:
        assert type(their_error) is type(our_error), (
            f"keraslite: {describe(our_error)}\nKeras: {describe(their_error)}"
        )
        if their_error is None and case.keras_check:
            case.check(theirs, keras)
    else:
        expected = case.keras.keras_raises
        got = None if their_error is None else type(their_error).__name__
        assert got == expected, (
            f"The table says Keras gives {expected or 'no error'} "
            f"({case.keras.reason}); Keras gave {describe(their_error)}"
        )
