"""pyproject.toml uses the current license metadata (no setuptools deprecation).

setuptools >= 77 deprecates `license = { text = ... }` (a TOML table) with
a warning printed on every install; the current form is an SPDX string
plus `license-files`, which needs setuptools >= 77 to build. `.ci/run`
also fails if the install prints a deprecation warning.
"""
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

try:
    import tomllib
except ImportError:  # Python < 3.11
    tomllib = pytest.importorskip("tomli")


def pyproject():
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)


def test_license_is_an_spdx_string_with_license_files():
    project = pyproject()["project"]
    assert project["license"] == "Apache-2.0"
    assert project["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text()
    assert text.split()[:4] == ["Apache", "License", "Version", "2.0,"]
    assert "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION" in text
    assert "END OF TERMS AND CONDITIONS" in text


def test_build_needs_a_setuptools_that_reads_that_form():
    requires = pyproject()["build-system"]["requires"]
    assert requires == ["setuptools>=77"]
