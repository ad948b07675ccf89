"""Prisma 7 project folders for the tests: as `prisma init` (7.10.1) lays them out
(tests/prisma/projects/init-*, the files it wrote, with ``dot-`` for a leading dot so
that their own .gitignore does not hide them), or as Prisma's documentation writes their
config files."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "projects"
USER_MODEL = """
model User {
  id    Int    @id @default(autoincrement())
  email String @unique
}
"""


def init_project(folder: Path, provider: str, *, url: str | None = None) -> Path:
    """``folder`` laid out as ``prisma init --datasource-provider PROVIDER`` makes it, with
    a model added; ``url`` replaces the DATABASE_URL that init wrote into .env."""
    source = FIXTURES / f"init-{provider}"
    for path in sorted(source.rglob("*")):
        if path.is_dir():
            continue
        relative = path.relative_to(source)
        name = relative.name.removeprefix("dot-")
        name = "." + name if relative.name.startswith("dot-") else name
        target = folder / relative.parent / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    with open(folder / "prisma" / "schema.prisma", "a") as f:
        f.write(USER_MODEL)
    if url is not None:
        env = folder / ".env"
        env.write_text(re.sub(r'DATABASE_URL=".*"', f'DATABASE_URL="{url}"', env.read_text()))
    return folder


def write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return folder


def schema(provider: str = "sqlite", *, url: str | None = None) -> str:
    """A schema with one model; ``url`` is a datasource ``url`` line's value (Prisma 6)."""
    line = f"\n  url      = {url}" if url else ""
    return f'datasource db {{\n  provider = "{provider}"{line}\n}}\n{USER_MODEL}'
