"""``.env`` files read as npm's dotenv reads them (what ``import "dotenv/config"`` in a
Prisma config loads), checked against dotenv itself (18.0.10, see tests/prisma/project_cli)
on the spellings .env files use."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.prisma import project_cli
from tests.prisma.prisma_cli import Unavailable
from trueup.sources.prisma_project import dotenv

SAMPLES = [
    'DATABASE_URL="file:./dev.db"',  # what prisma init writes: no newline at the end
    "# a comment\nA=1\n\nB = two words  \n",
    "export C=exported\nD: colon\n",
    "E='single $HOME'\nF=\"double \\n newline\"\nG='single \\n kept'\n",
    'H="with # hash"\nI=without # comment\nJ=#all comment\n',
    'K="multi\nline"\nL=`back tick`\n',
    "M=${HOME}/not/expanded\nN=\n  O  =  spaced\n",
    "P=first\nP=second\n",
    'Q="unterminated\nR=next\n',
    "S=a=b=c\nT.DOT-NAME=ok\n1BAD=x\n",
    "WIN=crlf\r\nMAC=cr\rEND=1\r\n",
    'URL="postgresql://u:p%40ss@db:5432/app?schema=public&sslmode=require"\n',
]


@pytest.fixture(scope="module")
def node_dotenv() -> None:
    try:
        project_cli.install()
    except Unavailable as exc:
        pytest.skip(f"dotenv cannot be installed here: {exc}")


def parsed_by_dotenv(text: str) -> dict[str, str]:
    script = (
        "const dotenv = require('dotenv');"
        "let s = ''; process.stdin.on('data', d => s += d);"
        "process.stdin.on('end', () => console.log(JSON.stringify(dotenv.parse(s))));"
    )
    done = subprocess.run(
        ["node", "-e", script],
        input=text,
        capture_output=True,
        text=True,
        cwd=project_cli.HERE,
        check=True,
        timeout=60,
    )
    result: dict[str, str] = json.loads(done.stdout)
    return result


@pytest.mark.parametrize("text", SAMPLES)
def test_as_dotenv_reads_it(node_dotenv: None, text: str) -> None:
    assert dotenv.parse(text) == parsed_by_dotenv(text)


def test_the_rules_that_differ_from_python_dotenv() -> None:
    values = dotenv.parse("A=${HOME}\nB=\"x\\ny\"\nC='x\\ny'\n")
    assert values == {"A": "${HOME}", "B": "x\ny", "C": "x\\ny"}


def test_a_variable_the_process_has_is_kept_unless_overridden(tmp_path: Path) -> None:
    folder = tmp_path
    (folder / ".env").write_text("A=file\nB=file\n")
    (folder / ".env.local").write_text("A=local\n")
    files = [str(folder / ".env.local"), str(folder / ".env"), str(folder / "missing.env")]
    values, found = dotenv.load({"A": "", "C": "process"}, files)
    assert (values["A"], values["B"], values["C"]) == ("", "file", "process")
    assert found == files[:2]
    values, _ = dotenv.load({"A": "process"}, files, override=True)
    assert values["A"] == "file"  # each file overrides the ones before it, and the process
