"""The code blocks of README.md and docs/, read as tests/test_docs.py runs them.

What a block is, is said by its info string, or by an HTML comment on the line before it:

- ``python``: run, in one interpreter per page, in page order (the page's blocks share
  their names, as a reader would type them one after the other);
- ``sh``: every line is a command (a trailing ``# comment`` is the shell's);
- ``console``: the lines that start with ``$ `` are commands, the others their output;
- ``dockerfile``: checked as a Dockerfile (a JSON-form instruction is a JSON array);
- ``toml``: read, and a ``[tool.trueup]`` table checked as trueup's settings;
- ``text``: output, a synopsis, a picture: never run, and holding no ``$ `` command.

Before a block, ``<!-- doc-test: skip: REASON -->`` says it is not run and why (a block of
another kind must say so), ``<!-- doc-test: exit N -->`` that its last command ends with N,
and ``<!-- doc-test: input TEXT -->`` what its commands read (an answer to a prompt).
Commands run in a folder of their own for each page (see ``make_project``), with ``trueup``
on PATH. Each must end with 0, or 2 for ``trueup diff`` and a dry run (changes pending).
Whether run or not, every ``trueup`` command line a block holds must name a command and
options that exist.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import click

from trueup.cli import cli

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
RUN = {"python", "sh", "console"}
CHECKED = {"dockerfile", "toml"}
NOT_RUN = {"text"}

_FENCE = re.compile(r"^(\s*)```(\S*)\s*$")
_MARK = re.compile(r"^<!-- doc-test: (skip: .+|exit \d+|input .+) -->$")


@dataclass
class Block:
    page: Path
    line: int  # of the opening fence, from 1
    lang: str
    code: str
    marks: dict[str, str] = field(default_factory=dict)

    @property
    def where(self) -> str:
        shown = self.page.relative_to(ROOT) if self.page.is_relative_to(ROOT) else self.page
        return f"{shown}:{self.line}"

    def commands(self) -> list[str]:
        lines = self.code.splitlines()
        if self.lang == "console" or any(x.startswith("$ ") for x in lines):
            return [x[2:] for x in lines if x.startswith("$ ")]
        return [x for x in lines if x.strip() and not x.lstrip().startswith("#")]


def blocks(page: Path) -> list[Block]:
    lines = page.read_text().splitlines()
    out: list[Block] = []
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        end = next(j for j in range(i + 1, len(lines)) if lines[j].strip() == "```")
        indent = len(m.group(1))
        code = "\n".join(x[indent:] for x in lines[i + 1 : end]) + "\n"
        marks: dict[str, str] = {}
        k = i - 1
        while k >= 0 and _MARK.match(lines[k]):
            key, _, value = lines[k][len("<!-- doc-test: ") : -len(" -->")].partition(" ")
            marks[key.rstrip(":")] = value
            k -= 1
        out.append(Block(page, i + 1, m.group(2), code, marks))
        i = end + 1
    return out


# --- trueup command lines ---------------------------------------------------------------------


def trueup_commands(block: Block) -> list[list[str]]:
    """The ``trueup`` command lines of a block, as words, up to a ``--`` (what follows it is
    the app's): each line that starts with ``trueup`` (after ``$ ``), and in a synopsis the
    indented lines that go on with the one before."""
    found: list[list[str]] = []
    for raw in block.code.splitlines():
        if block.lang == "console" and not raw.startswith("$ "):
            continue  # output
        line = raw.removeprefix("$ ")
        if block.lang == "text" and line.startswith(" ") and found:
            found[-1] += line.split()
            continue
        for part in re.split(r"\s{2,}(?=trueup )", line.strip()):
            if re.match(r"trueup [a-z]+(\s|$)", part):
                found.append(part.split("#")[0].split())
    return [words[: words.index("--")] if "--" in words else words for words in found]


def unknown_options(words: list[str]) -> list[str]:
    """What in a ``trueup`` command line is not a command or an option of it."""
    ctx = click.Context(cli)
    command: click.Command | None = cli
    rest = words[1:]
    while isinstance(command, click.Group) and rest and not rest[0].startswith("-"):
        sub = command.get_command(ctx, rest[0])
        if sub is None:
            return [rest[0]] if command is cli else []
        command, rest = sub, rest[1:]
    assert command is not None
    known = {o for p in command.params for o in (*p.opts, *p.secondary_opts)}
    known |= {"-h", "--help", "-V", "--version"}
    options = [re.sub(r"[\[\]]|=.*", "", w) for w in rest if w.lstrip("[").startswith("-")]
    return [o for o in options if o and o not in known and o != "-"]


# --- Dockerfile -------------------------------------------------------------------------------

_JSON_FORM = {"CMD", "ENTRYPOINT", "RUN", "SHELL", "VOLUME", "COPY", "ADD", "HEALTHCHECK"}


def dockerfile_problems(text: str) -> list[str]:
    """Instructions written in JSON form (``ENTRYPOINT ["..."]``) that are not one JSON
    array of strings: Docker then takes them as shell form (a ``# comment`` after the
    array does that), and runs ``/bin/sh -c '["..."] # ...'``, which fails in the
    container."""
    problems = []
    instruction = ""
    for line in text.splitlines():
        if not instruction and (not line.strip() or line.lstrip().startswith("#")):
            continue
        instruction += line.rstrip()
        if instruction.endswith("\\"):
            instruction = instruction[:-1] + " "
            continue
        keyword, _, args = instruction.strip().partition(" ")
        args = args.strip()
        if keyword.upper() == "HEALTHCHECK":
            args = args.partition("CMD")[2].strip()
        if keyword.upper() in _JSON_FORM and args.startswith("["):
            try:
                value = json.loads(args)
            except ValueError:
                value = None
            if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
                problems.append(instruction.strip())
        instruction = ""
    return problems


# --- the folder the commands run in -----------------------------------------------------------

EXAMPLE = ROOT / "examples" / "mediaserver"
#: Backups the pages name, by their file names.
NAMED_BACKUPS = (
    "app.db.20250301T115810.004211Z.startup.sqlite3",
    "app.db.20250301T120000.123456Z.pre-push.sqlite3",
)


def environment(project: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TRUEUP_", "PG")) and k not in ("DATABASE_URL", "PYTHONPATH")
    }
    env.update(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        DATABASE_URL="file:./data/app.db",
        PRODUCTION_URL="file:./data/app.db",
        STAGING_URL="file:./data/staging.db",
        NO_COLOR="1",
        PAGER="cat",
    )
    return env


def make_project(folder: Path) -> None:
    """What the pages' commands assume: the media server example's version 2 as
    ``schema.sql``, its version 1 with rows in ``data/app.db`` (pushed by trueup, so it has
    a history), version 2 in ``data/staging.db``, the backups the pages name, an empty
    ``prisma/`` folder, the apps ``myapp`` and ``mediaserver`` that ``trueup start``
    runs, and ``myapp``'s SQLAlchemy models (``myapp.models:Base``)."""
    folder.mkdir(parents=True)
    (folder / "data").mkdir()
    (folder / "prisma").mkdir()
    shutil.copy(EXAMPLE / "schema-v2.sql", folder / "schema.sql")
    env = environment(folder)

    def trueup(*args: str) -> None:
        done = subprocess.run(
            [sys.executable, "-m", "trueup", *args], cwd=folder, env=env, capture_output=True
        )
        assert done.returncode == 0, done.stderr.decode()

    trueup("push", "--schema", str(EXAMPLE / "schema.sql"), "--url", "data/app.db")
    conn = sqlite3.connect(folder / "data" / "app.db")
    conn.executescript((EXAMPLE / "seed.sql").read_text())
    conn.close()
    trueup("push", "--url", "data/staging.db")
    trueup("backup", "--url", "data/app.db")
    [taken] = (folder / "data" / "backups").glob("[!.]*")  # not its hidden record
    for name in NAMED_BACKUPS:
        shutil.copy(taken, taken.with_name(name))
    taken.unlink()
    taken.with_name(f".{taken.name}.json").unlink()
    for app in ("myapp", "mediaserver"):
        (folder / app).mkdir()
        (folder / app / "__main__.py").write_text(f"print('{app} started')\n")
    (folder / "myapp" / "models.py").write_text(MODELS)


#: The app's SQLAlchemy models, for the pages' ``--schema myapp.models:Base``.
MODELS = """\
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(200), unique=True)


class Post(Base):
    __tablename__ = "posts"
    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(server_default="Untitled")
"""


def pending_is_fine(command: str) -> bool:
    """``trueup diff`` and dry runs end with 2 when changes are pending: a result."""
    return command.startswith("trueup diff") or (
        command.startswith("trueup push") and "--dry-run" in command
    )


class Python:
    """One interpreter for a page's Python blocks: each block runs in the names the ones
    before it left, with its traceback pointing at the page's lines."""

    DRIVER = (
        "import json, sys, traceback\n"
        "names = {'__name__': '__main__'}\n"
        "for line in sys.stdin:\n"
        "    block = json.loads(line)\n"
        "    try:\n"
        "        exec(compile(block['code'], block['page'], 'exec'), names)\n"
        "        status = 'ok'\n"
        "    except BaseException:\n"
        "        traceback.print_exc(file=sys.stdout)\n"
        "        status = 'failed'\n"
        "    print('\\0' + status, flush=True)\n"
    )

    def __init__(self, folder: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", self.DRIVER],
            cwd=folder,
            env=environment(folder),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def run(self, block: Block) -> tuple[bool, str]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        code = "\n" * block.line + block.code  # line numbers as on the page
        self.proc.stdin.write(json.dumps({"code": code, "page": block.where}) + "\n")
        self.proc.stdin.flush()
        out: list[str] = []
        for line in self.proc.stdout:
            if line.startswith("\0"):
                return line.strip("\0\n") == "ok", "".join(out)
            out.append(line)
        return False, "".join(out) + "(the interpreter ended)"

    def close(self) -> None:
        self.proc.communicate(timeout=60)  # closes its input, reads to the end
