"""compat_tests/ run keraslite beside real Keras (TensorFlow backend)."""
import pytest

keras = pytest.importorskip(
    "keras", reason="TensorFlow/Keras not installed (pip install -e '.[test]')"
)
