from __future__ import annotations

from pathlib import Path

import pytest

from trueup.config import find_schema, load_settings
from trueup.errors import ConfigError


def test_flags_win_over_environment_over_file(tmp_path: Path) -> None:
    (tmp_path / "trueup.toml").write_text(
        'schema = "from_file.sql"\nurl = "file:file.db"\nlock_timeout = 5\n'
    )
    env = {"TRUEUP_SCHEMA": "from_env.sql", "DATABASE_URL": "file:env.db"}
    s = load_settings(folder=str(tmp_path), environ=env, schema="flag.sql")
    assert s.schema == "flag.sql"
    assert s.url == "file:env.db"
    assert s.lock_timeout == 5
    s = load_settings(folder=str(tmp_path), environ={})
    assert (s.schema, s.url) == ("from_file.sql", "file:file.db")


def test_pyproject_section(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n[tool.trueup]\nignore_tables = ["spatial_*", "Legacy"]\n'
    )
    s = load_settings(folder=str(tmp_path), environ={})
    ignore = s.ignore()
    assert ignore is not None
    assert ignore("spatial_ref_sys") and ignore("legacy") and not ignore("users")


def test_settings_in_both_files_are_an_error(tmp_path: Path) -> None:
    (tmp_path / "trueup.toml").write_text('schema = "a.sql"\n')
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert load_settings(folder=str(tmp_path), environ={}).schema == "a.sql"  # no table: fine
    (tmp_path / "pyproject.toml").write_text('[tool.trueup]\nschema = "b.sql"\n')
    with pytest.raises(ConfigError, match="trueup settings in two files") as raised:
        load_settings(folder=str(tmp_path), environ={})
    assert "trueup.toml" in str(raised.value) and "pyproject.toml" in str(raised.value)


def test_unknown_setting_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "trueup.toml").write_text('shema = "typo.sql"\n')
    with pytest.raises(ConfigError, match="shema"):
        load_settings(folder=str(tmp_path), environ={})


def test_bad_lock_timeout(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="lock timeout"):
        load_settings(folder=str(tmp_path), environ={"TRUEUP_LOCK_TIMEOUT": "soon"})


def test_schema_discovery_order(tmp_path: Path) -> None:
    s = load_settings(folder=str(tmp_path), environ={})
    with pytest.raises(ConfigError, match="No schema file"):
        find_schema(s)
    (tmp_path / "schema.sql").write_text("")
    assert find_schema(s).endswith("schema.sql")
    (tmp_path / "prisma" / "schema").mkdir(parents=True)
    assert find_schema(s).endswith("schema.sql")  # a folder without .prisma files
    (tmp_path / "prisma" / "schema" / "models.prisma").write_text("")
    assert find_schema(s).endswith("prisma/schema")
    (tmp_path / "prisma" / "schema.prisma").write_text("")
    assert find_schema(s).endswith("prisma/schema.prisma")
    (tmp_path / "schema.prisma").write_text("")  # Prisma looks here first
    assert find_schema(s) == str(tmp_path / "schema.prisma")


def test_backup_settings_from_the_file_and_the_environment(tmp_path: Path) -> None:
    (tmp_path / "trueup.toml").write_text(
        'backup_verify = "full"\nbackup_compress = true\nbackup_keep_days = 7\n'
        'backup_max_size = "2GiB"\nstart_backup = "always"\n'
    )
    s = load_settings(folder=str(tmp_path), environ={})
    assert (s.backup_verify, s.backup_compress, s.backup_keep_days) == ("full", True, 7.0)
    assert (s.backup_max_size, s.start_backup) == (2 * 2**30, "always")
    env = {
        "TRUEUP_BACKUP_VERIFY": "none",
        "TRUEUP_BACKUP_COMPRESS": "0",
        "TRUEUP_BACKUP_KEEP_DAYS": "1.5",
        "TRUEUP_BACKUP_MAX_SIZE": "500MB",
        "TRUEUP_START_BACKUP": "never",
    }
    s = load_settings(folder=str(tmp_path), environ=env)
    assert (s.backup_verify, s.backup_compress, s.backup_keep_days) == ("none", False, 1.5)
    assert (s.backup_max_size, s.start_backup) == (500_000_000, "never")
    s = load_settings(folder=str(tmp_path / "elsewhere"), environ={})
    assert (s.backup_verify, s.backup_compress, s.start_backup) == ("quick", False, "on-change")
    assert (s.backup_keep_days, s.backup_max_size) == (None, None)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("TRUEUP_BACKUP_VERIFY", "thorough", "backup_verify must be one of quick, full, none"),
        ("TRUEUP_START_BACKUP", "sometimes", "start_backup must be one of"),
        ("TRUEUP_BACKUP_KEEP_DAYS", "0", "more than 0"),
        ("TRUEUP_BACKUP_MAX_SIZE", "5 lots", "Cannot read the size"),
        ("TRUEUP_BACKUP_COMPRESS", "maybe", "true or false"),
    ],
)
def test_bad_backup_settings(tmp_path: Path, key: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(folder=str(tmp_path), environ={key: value})
