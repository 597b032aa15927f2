"""One parametrized test over the parity table (compat_tests/parity.py)."""
import pytest

from compat_tests.parity import ROWS, run_row


@pytest.mark.parametrize("row", ROWS, ids=[row.name for row in ROWS])
def test_parity(row):
    result = run_row(row)
    assert result.passed, (
        f"{row.name}: max abs diff {result.max_abs:.3g}, max rel diff "
        f"{result.max_rel:.3g} (rtol={row.rtol}, atol={row.atol})\n"
        + "\n".join(result.failures[:20])
    )
