"""Nothing outside ``trueup/engines/`` names an engine: core code asks the registry and reads
an engine's Capabilities, so adding an engine is one folder and one registry line.

The source tree is walked with ``ast`` and ``tokenize``; what fails is code, not prose:
docstrings, comments and message texts may name engines."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from functools import cache
from pathlib import Path

import trueup
from trueup.engines import registered

SRC = Path(trueup.__file__).resolve().parent
ENGINES = SRC / "engines"
#: The engines' folders (``postgres``), which may be named differently from the engines.
FOLDERS = frozenset(p.name for p in ENGINES.iterdir() if (p / "__init__.py").exists())
#: Modules of the engines package that are no engine's: what every engine implements.
NEUTRAL = frozenset({"base", "descriptor", "kinds", "source_hooks"})
#: Engine names and URL schemes as string literals; "file" is a word core code uses for files.
NAMES = (
    frozenset(e.name for e in registered())
    | frozenset(s for e in registered() for s in e.schemes)
    | frozenset({"postgres", "psycopg"})
) - {"file"}
IDENTIFIER = re.compile(r"sqlite|postgres|pg_", re.IGNORECASE)

#: Files that always may name engines: the Prisma schema language names its providers, and
#: Prisma's rules differ by provider (its connectors), as in Prisma's own psl-core.
PROVIDER_TABLES = {
    "sources/prisma/datamodel.py": "the Prisma provider names a datasource block takes",
    "sources/prisma/datasource.py": "the Prisma provider names a datasource block takes",
    **{
        f"sources/prisma/{name}.py": "Prisma's rules for each of its connectors"
        for name in (
            "foreign_key_checks",
            "generators",
            "indexes",
            "lower",
            "models",
            "names",
            "relations",
            "scalars",
            "validate",
        )
    },
    # What Prisma's pull writes for a live database differs by connector; SQLite's default
    # expressions are read with the SQLite engine's own lexer.
    "sources/prisma/pull/flavours.py": "Prisma's pull output for each of its connectors",
}


def core_files() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if ENGINES not in p.parents)


def docstrings(tree: ast.AST) -> set[int]:
    """The ids of the docstring nodes of ``tree``."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


@cache
def engine_classes() -> frozenset[str]:
    """The session classes the engines' own modules define."""
    names = set()
    for folder in FOLDERS:
        for path in (ENGINES / folder).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef):
                    bases = [ast.unparse(b) for b in node.bases]
                    if any(n.endswith("Session") for n in [node.name, *bases]):
                        names.add(node.name)
    return frozenset(names)


def engine_module(module: str) -> bool:
    parts = module.split(".")
    return parts[:2] == ["trueup", "engines"] and len(parts) > 2 and parts[2] not in NEUTRAL


def import_problems(tree: ast.AST) -> list[str]:
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [f"imports {a.name}" for a in node.names if engine_module(a.name)]
        elif isinstance(node, ast.ImportFrom) and node.module:
            if engine_module(node.module):
                out.append(f"imports from {node.module}")
            elif node.module == "trueup.engines":
                out += [f"imports {a.name}" for a in node.names if a.name in FOLDERS]
    return out


def literal_problems(tree: ast.AST) -> list[str]:
    skip = docstrings(tree)
    out = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
            continue
        if id(node) in skip:
            continue
        text = node.value.strip().lower()
        if text in NAMES or any(text.startswith(f"trueup.engines.{f}") for f in FOLDERS):
            out.append(f"line {node.lineno}: the string {node.value!r}")
    return out


def identifier_problems(source: str) -> list[str]:
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return [
        f"line {tok.start[0]}: the name {tok.string}"
        for tok in tokens
        if tok.type == tokenize.NAME and IDENTIFIER.search(tok.string)
    ]


def isinstance_problems(tree: ast.AST, classes: frozenset[str]) -> list[str]:
    out = []
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "isinstance"
            and len(node.args) == 2
        ):
            continue
        for name in ast.walk(node.args[1]):
            named = name.id if isinstance(name, ast.Name) else None
            named = name.attr if isinstance(name, ast.Attribute) else named
            if named in classes:
                out.append(f"line {node.lineno}: isinstance(..., {named})")
    return out


def problems(path: Path, classes: frozenset[str]) -> list[str]:
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    return (
        import_problems(tree)
        + literal_problems(tree)
        + identifier_problems(source)
        + isinstance_problems(tree, classes)
    )


def test_core_code_names_no_engine() -> None:
    classes = engine_classes()
    found = {}
    for path in core_files():
        relative = path.relative_to(SRC).as_posix()
        if relative in PROVIDER_TABLES:
            continue
        if hits := problems(path, classes):
            found[relative] = hits
    assert not found, "\n".join(f"{p}: {'; '.join(h)}" for p, h in found.items())


def test_every_exempt_file_exists() -> None:
    # The exemptions name files: one renamed or removed must take its entry with it.
    assert [r for r in PROVIDER_TABLES if not (SRC / r).exists()] == []


def test_the_walk_finds_what_it_looks_for() -> None:
    source = (
        '"""sqlite in a docstring is prose."""\n'
        "from trueup.engines.sqlite.session import SQLiteSession  # a comment: postgres\n"
        "def f(session, url):\n"
        "    assert isinstance(session, SQLiteSession)\n"
        "    return url.engine == 'postgresql'\n"
    )
    tree = ast.parse(source)
    assert import_problems(tree) == ["imports from trueup.engines.sqlite.session"]
    assert literal_problems(tree) == ["line 5: the string 'postgresql'"]
    assert [p.split(": ")[1] for p in identifier_problems(source)] == [
        "the name sqlite",
        "the name SQLiteSession",
        "the name SQLiteSession",
    ]
    assert isinstance_problems(tree, frozenset({"SQLiteSession"})) == [
        "line 4: isinstance(..., SQLiteSession)"
    ]
