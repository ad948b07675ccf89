"""The declared-source registry: each kind of schema is one module and one registry line,
found from the path alone, read through the one scratch normaliser."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from trueup.engines import default_engine, get_dialect
from trueup.errors import ConfigError, SchemaError
from trueup.sources import registry
from trueup.sources.declared import Declared, Source, load_schema
from trueup.sources.registry import files_key, locate, with_files
from trueup.sources.scratch import normalise

SOURCES = Path(registry.__file__).parent


class StatementLines:
    """A kind of schema for the test: one SQL statement a line, in a ``.lines`` file."""

    reads = "statement lists (.lines)"

    def locate(self, path: str) -> list[str] | None:
        return [path] if path.endswith(".lines") else None

    def key(self, source: Source) -> str:
        return files_key(source, [source.path])

    def load(self, source: Source) -> Declared:
        dialect = get_dialect(source.engine or default_engine())
        text = Path(source.path).read_text()
        lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]

        def rejected(n: int, statement: str, error: Exception) -> SchemaError:
            return SchemaError(f"{source.path}:{n}: {dialect.label} said: {error}")

        schema = normalise(dialect, lambda _: lines, rejected).schema
        return with_files(Declared(schema=schema, path=source.path), [source.path])


LINES: registry.DeclaredSource = StatementLines()


@pytest.fixture
def with_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    """The registry with the test's kind in it: one more line."""
    entry = f"{__name__}:LINES"
    monkeypatch.setattr(registry, "_REGISTRY", (*registry._REGISTRY, entry))


@pytest.mark.usefixtures("with_lines")
def test_a_new_kind_is_one_registry_line(tmp_path: Path) -> None:
    path = tmp_path / "schema.lines"
    path.write_text("CREATE TABLE t (id INTEGER PRIMARY KEY, name varchar(10))\n\n")
    declared = load_schema(str(path))
    # Normalised by SQLite itself, as every source's schema is.
    assert [(c.name, c.type) for c in declared.schema.tables[0].columns] == [
        ("id", "INTEGER"),
        ("name", "VARCHAR(10)"),
    ]
    assert declared.source_hash is not None
    before = Source(str(path)).key()
    assert Source(str(path)).key() == before
    path.write_text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)\n")
    assert Source(str(path)).key() != before
    path.write_text("CREATE TABLE t (id INTEGER PRIMARY KEY)\nCREATE TABLE oops (\n")
    with pytest.raises(SchemaError, match=r"schema\.lines:2: SQLite said: incomplete input"):
        load_schema(str(path))


@pytest.mark.usefixtures("with_lines")
def test_what_trueup_reads_lists_every_kind(tmp_path: Path) -> None:
    path = tmp_path / "schema.txt"
    path.write_text("")
    with pytest.raises(ConfigError) as caught:
        load_schema(str(path))
    for reads in ("Prisma schemas (.prisma)", "SQL schema files (.sql)", "(.lines)"):
        assert reads in caught.value.message


def test_each_kind_knows_its_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "prisma").mkdir()
    (tmp_path / "prisma" / "a.prisma").write_text("")
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes.txt").write_text("")
    paths = ("schema.sql", "schema.prisma", "prisma", "myapp.models:Base", "notes.txt")
    found = {path: _kind_of(path) for path in paths}
    assert found == {
        "schema.sql": ("SQL", ["schema.sql"]),
        "schema.prisma": ("Prisma", ["schema.prisma"]),
        "prisma": ("Prisma", [os.path.join("prisma", "a.prisma")]),
        "myapp.models:Base": ("SQLAlchemy", []),  # not files: nothing to hash
        "notes.txt": None,
    }
    assert locate("notes") is None  # a folder of no schema's


def _kind_of(path: str) -> tuple[str, list[str]] | None:
    """The first word of what reads ``path``, and its files."""
    found = locate(path)
    return (found[0].reads.split()[0], found[1]) if found else None


def test_locating_a_schema_imports_no_front_end(tmp_path: Path) -> None:
    """Every push locates its schema, and a push on a database in sync reads nothing more."""
    probe = (
        "import json, sys\n"
        "from trueup.sources.registry import locate\n"
        "for path in ('schema.sql', 'schema.prisma', 'myapp.models:Base'):\n"
        "    assert locate(path) is not None, path\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    modules = json.loads(out.stdout)
    for front_end in (
        "trueup.sources.sql",
        "trueup.sources.prisma",
        "sqlalchemy",
        "trueup.engines",
    ):
        assert not [m for m in modules if m == front_end or m.startswith(front_end + ".")]


def test_sources_name_no_engine() -> None:
    """Engine knowledge is the engines' (see trueup.engines.source_hooks); the Prisma front
    end alone names its providers, as Prisma's rules differ by provider."""
    engine = re.compile(r"sqlite|postgres|psycopg", re.IGNORECASE)
    named = [
        f"{path.relative_to(SOURCES)}:{n}"
        for path in sorted(SOURCES.rglob("*.py"))
        if path.relative_to(SOURCES).parts[0] not in ("prisma", "prisma_project")
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if engine.search(line)
    ]
    assert named == []
