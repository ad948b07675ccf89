"""The shape rules of the code base, checked on every run: no module over 400 lines and no
function over 80, so that every file can be read in one sitting and every function on one
screen or two."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "trueup"
MODULE_LINES = 400
FUNCTION_LINES = 80


def _modules() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def test_no_module_is_longer_than_the_limit() -> None:
    long = {
        str(p.relative_to(SRC)): n
        for p in _modules()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MODULE_LINES
    }
    assert long == {}, f"modules over {MODULE_LINES} lines: split them by job"


def _functions(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            assert node.end_lineno is not None
            found.append((f"{node.name}:{node.lineno}", node.end_lineno - node.lineno + 1))
    return found


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_no_function_is_longer_than_the_limit(path: Path) -> None:
    long = {name: n for name, n in _functions(path) if n > FUNCTION_LINES}
    assert long == {}, f"functions over {FUNCTION_LINES} lines in {path.name}"
