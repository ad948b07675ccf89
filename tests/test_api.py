"""The public API is what ``trueup.__all__`` says, and every name in it resolves."""

from __future__ import annotations

import importlib
import pkgutil
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

import trueup

SRC = Path(trueup.__file__).resolve().parent


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
    for name in ["trueup.cli", "trueup.push", "trueup.engines.sqlite.dialect"]:
        importlib.import_module(name)


def _import_every_submodule() -> None:
    for info in pkgutil.walk_packages(trueup.__path__, "trueup."):
        if not info.name.endswith("__main__"):  # the entry point turns the collector off
            importlib.import_module(info.name)


def test_exported_names_survive_importing_every_submodule() -> None:
    """Loading the submodule ``trueup.push`` (or ``trueup.backup``, ``trueup.diff``) must
    not turn the function of that name into the module."""
    _import_every_submodule()
    for name in trueup.__all__:
        if name == "__version__":
            continue
        value = getattr(trueup, name)
        assert not isinstance(value, ModuleType), name
        assert value is getattr(importlib.import_module(trueup._EXPORTS[name]), name), name


def test_every_public_function_can_be_called_after_the_submodules_load(tmp_path: Path) -> None:
    """The documented pipeline, in a fresh interpreter that first loads every submodule."""
    code = """
import importlib, pkgutil, sys
import trueup
for info in pkgutil.walk_packages(trueup.__path__, "trueup."):
    if not info.name.endswith("__main__"):
        importlib.import_module(info.name)
open("schema.sql", "w").write("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);")
declared = trueup.load_schema("schema.sql")
url = trueup.parse_url("file:./app.db")
plan = trueup.plan_for(url, declared.schema)
assert isinstance(plan, trueup.Plan) and plan.findings == ()
result = trueup.push(url, declared.schema, accept_data_loss=False)
assert isinstance(result, trueup.PushResult) and result.applied
assert trueup.diff(declared.schema, declared.schema, trueup.get_dialect("sqlite").hooks) == []
taken = trueup.backup(url, reason="manual")
assert trueup.list_backups_of(url)[0].path == taken.backup.path
trueup.restore(url, taken.backup.path)
with open("export.jsonl", "wb") as f:
    trueup.export_database(url, f)
with open("export.jsonl", "rb") as f:
    trueup.import_database(trueup.parse_url("file:./copy.db"), f, "export.jsonl")
print("ok")
"""
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_trueup_code_never_binds_an_exported_name_to_its_submodule() -> None:
    """``import trueup.push as m`` would give the function (the package keeps the exported
    name), so trueup's own code imports these submodules with ``from ... import``."""
    clash = "|".join(re.escape(n) for n in trueup._EXPORTS)
    pattern = re.compile(rf"^\s*import trueup\.({clash})\b.* as ", re.MULTILINE)
    for path in SRC.rglob("*.py"):
        assert not pattern.search(path.read_text()), path


@pytest.mark.parametrize("name", ["push", "backup", "diff"])
def test_import_statement_of_the_submodule_keeps_the_function(name: str) -> None:
    code = f"import trueup, trueup.{name} as _; print(type(trueup.{name}).__name__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["function"]
