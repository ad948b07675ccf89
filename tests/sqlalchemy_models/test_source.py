"""The pieces of the models source that need no database: what a ``--schema`` names, the
key of the quick way, the settings, and SQLAlchemy's warnings."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.sqlalchemy_models.apps import environ
from trueup.config import load_settings
from trueup.errors import ConfigError
from trueup.sources.declared import names_models
from trueup.sources.sqlalchemy.spec import ModelsSpec, parse_spec

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("text", "spec"),
    [
        ("myapp.models:Base", ModelsSpec("myapp.models:Base", module="myapp.models", attr="Base")),
        ("myapp.models", ModelsSpec("myapp.models", module="myapp.models")),
        (
            "models:Base.metadata",
            ModelsSpec("models:Base.metadata", module="models", attr="Base.metadata"),
        ),
        ("app/models.py", ModelsSpec("app/models.py", file="app/models.py")),
        ("app/models.py:Base", ModelsSpec("app/models.py:Base", file="app/models.py", attr="Base")),
        ("schema.sql", None),
        ("schema.prisma", None),
        ("prisma/schema", None),
        ("db/schema.SQL", None),
        ("postgresql://x", None),
    ],
)
def test_what_a_schema_names(text: str, spec: ModelsSpec | None) -> None:
    assert parse_spec(text) == spec
    assert names_models(text) is (spec is not None)


def test_a_bare_name_is_a_path_when_there_is_one_and_a_module_when_a_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "schema").write_text("CREATE TABLE t (id INTEGER PRIMARY KEY);")
    assert not names_models("schema")
    (tmp_path / "models").mkdir()
    assert not names_models("models")  # a folder (of Prisma files, say)
    (tmp_path / "models" / "__init__.py").write_text("")
    assert names_models("models")
    assert names_models("nothing_here")


KEY = """
import sys
sys.path.insert(0, {root!r})
from tests.sqlalchemy_models.everything import models
from trueup.sources.sqlalchemy.source import metadata_key
print(metadata_key(models(sys.argv[1]), sys.argv[1], "", None))
"""


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_the_key_is_the_same_in_every_process(engine: str) -> None:
    """create_all() makes a table's indexes in an order that changes from process to
    process: the key must not, or no start would ever take the quick way."""
    script = KEY.format(root=str(ROOT))
    keys = {
        subprocess.run(
            [sys.executable, "-c", script, engine],
            capture_output=True,
            text=True,
            check=True,
            env=environ(PYTHONHASHSEED=str(seed)),
        ).stdout
        for seed in range(4)
    }
    assert len(keys) == 1, keys


def test_python_path_in_the_settings(tmp_path: Path) -> None:
    (tmp_path / "trueup.toml").write_text('python_path = ["src", "lib"]\n')
    assert load_settings(folder=str(tmp_path), environ={}).python_path == ("src", "lib")
    env = {"TRUEUP_PYTHON_PATH": "a:b"}
    settings = load_settings(folder=str(tmp_path), environ=env, python_path=("flag",))
    assert settings.python_path == ("flag", "a", "b")
    (tmp_path / "trueup.toml").write_text('python_path = "src"\n')
    assert load_settings(folder=str(tmp_path), environ={}).python_path == ("src",)
    (tmp_path / "trueup.toml").write_text("python_path = [1]\n")
    with pytest.raises(ConfigError, match="python_path must be a list of folders"):
        load_settings(folder=str(tmp_path), environ={})


def test_sqlalchemys_warnings_are_the_schemas() -> None:
    from sqlalchemy import Column, Computed, Integer, MetaData, Table

    from trueup.sources.sqlalchemy.compile import create_ddl

    metadata = MetaData()
    Table("t", metadata, Column("a", Integer), Column("b", Integer, Computed("a * 2")))
    compiled = create_ddl(metadata, "postgresql", (16, 4))
    assert "STORED" in compiled.text
    [warning] = compiled.warnings
    assert "Computed column t.b is being created as 'STORED'" in warning
