"""The public API is what ``trueup.__all__`` says, and every name in it resolves."""

from __future__ import annotations

import importlib
import subprocess
import sys

import trueup


def test_every_exported_name_resolves() -> None:
    for name in trueup.__all__:
        assert getattr(trueup, name) is not None, name


def test_unknown_attribute() -> None:
    try:
        trueup.no_such_thing  # noqa: B018
    except AttributeError as exc:
        assert "no_such_thing" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("expected AttributeError")


def test_import_is_cheap() -> None:
    code = "import sys, trueup; print(sorted(m for m in sys.modules if m.startswith('trueup')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['trueup']"


def test_modules_import() -> None:
    for name in ["trueup.cli", "trueup.push", "trueup.dialects.sqlite.dialect"]:
        importlib.import_module(name)
