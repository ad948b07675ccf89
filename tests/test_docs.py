"""Every command is documented, the documents the README links to exist, and every code
block of the docs runs (or says why it does not): see tests/doc_blocks.py."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import click
import pytest

from tests.doc_blocks import (
    NOT_RUN,
    PAGES,
    ROOT,
    RUN,
    Block,
    Python,
    blocks,
    dockerfile_problems,
    environment,
    make_project,
    pending_is_fine,
    trueup_commands,
    unknown_options,
)
from trueup.cli import cli


def test_every_command_has_a_section_in_cli_md() -> None:
    text = (ROOT / "docs" / "cli.md").read_text()
    ctx = click.Context(cli)
    for name in cli.list_commands(ctx):
        command = cli.get_command(ctx, name)
        assert command is not None, name
        assert f"## trueup {name}" in text, name
        for param in command.params:
            for opt in param.opts:
                if opt.startswith("--") and opt != "--help":
                    assert opt in text, f"{name} {opt}"


def test_readme_links_resolve() -> None:
    readme = (ROOT / "README.md").read_text()
    for link in re.findall(r"\]\(([^)#]+)\)", readme):
        if not link.startswith("http"):
            assert (ROOT / link).exists(), link


def test_every_finding_code_is_documented() -> None:
    from trueup.plan import risk

    text = (ROOT / "docs" / "findings.md").read_text()
    codes = [v for k, v in vars(risk).items() if k.isupper() and isinstance(v, str)]
    assert codes
    for code in codes:
        assert f"`{code}`" in text, code


# --- every code block runs, or says why not (see tests/doc_blocks.py) -------------------------


def check_page(page: Path, folder: Path) -> list[str]:
    """What is wrong with the code blocks of ``page``: a block that fails, or that is
    neither run nor marked as not meant to run."""
    problems: list[str] = []
    project = folder / "project"
    python: Python | None = None
    try:
        for block in blocks(page):
            if "skip" in block.marks:
                continue
            if block.lang not in RUN and set(block.marks) - {"skip"}:
                problems.append(f"{block.where}: exit and input marks are for blocks that run")
            if block.lang in NOT_RUN:
                if any(x.startswith("$ ") for x in block.code.splitlines()):
                    problems.append(f"{block.where}: `$ ` commands belong in a console block")
            elif block.lang == "dockerfile":
                problems += [
                    f"{block.where}: not JSON: {p}" for p in dockerfile_problems(block.code)
                ]
            elif block.lang == "toml":
                problems += _toml_problems(block, folder)
            elif block.lang in RUN:
                if not project.exists():
                    make_project(project)
                if block.lang == "python":
                    python = python or Python(project)
                    ok, out = python.run(block)
                    if not ok:
                        problems.append(f"{block.where}: failed\n{out}")
                else:
                    problems += _run_commands(block, project)
            else:
                problems.append(
                    f"{block.where}: a ```{block.lang} block is neither run nor marked; run it "
                    "(python, sh, console), or say why not: <!-- doc-test: skip: REASON -->"
                )
    finally:
        if python is not None:
            python.close()
    return problems


def _run_commands(block: Block, project: Path) -> list[str]:
    commands = block.commands()
    if not commands:
        return [f"{block.where}: a {block.lang} block without a command"]
    for n, command in enumerate(commands, 1):
        done = subprocess.run(
            ["bash", "-c", command],
            cwd=project,
            env=environment(project),
            input=block.marks["input"] + "\n" if "input" in block.marks else "",
            capture_output=True,
            text=True,
            timeout=300,
        )
        expected = {0, 2} if pending_is_fine(command) else {0}
        if n == len(commands) and "exit" in block.marks:
            expected = {int(block.marks["exit"])}
        if done.returncode not in expected:
            return [
                f"{block.where}: `{command}` ended with {done.returncode}\n"
                f"{done.stdout}{done.stderr}"
            ]
    return []


def _toml_problems(block: Block, folder: Path) -> list[str]:
    import tomllib

    from trueup.config import load_settings
    from trueup.errors import ConfigError

    try:
        data = tomllib.loads(block.code)
    except tomllib.TOMLDecodeError as exc:
        return [f"{block.where}: not TOML: {exc}"]
    if "tool" not in data:
        return []
    settings = folder / "settings"
    settings.mkdir(exist_ok=True)
    (settings / "pyproject.toml").write_text(block.code)
    try:
        load_settings(folder=str(settings), environ={})
    except ConfigError as exc:
        return [f"{block.where}: {exc}"]
    return []


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_code_block_runs_or_says_why_not(page: Path, tmp_path: Path) -> None:
    problems = check_page(page, tmp_path)
    assert not problems, "\n\n".join(problems)


def test_a_block_that_does_not_run_fails_unless_marked(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "```sh\ntrueup push --no-such-flag\n```\n\n"
        "```sql\nSELECT 1;\n```\n\n"
        "<!-- doc-test: skip: an outline -->\n```sql\n...\n```\n\n"
        "```text\n$ trueup push\n```\n\n"
        "<!-- doc-test: exit 1 -->\n```console\n$ trueup push --url missing/app.db\nError\n```\n\n"
        "```python\nimport trueup\nx = trueup.parse_url('file:./a.db')\n```\n\n"
        "```python\nprint(x.engine)\nraise SystemExit(y)\n```\n"
    )
    problems = check_page(page, tmp_path / "run")
    assert [p.split(":")[1] for p in problems] == ["1", "5", "14", "29"], problems
    assert "ended with 64" in problems[0] and "neither run nor marked" in problems[1]
    assert "NameError: name 'y' is not defined" in problems[3]
    assert 'page.md:29", line 31' in problems[3]  # the traceback points at the page


def test_trueup_command_lines_in_the_docs_name_real_commands_and_options() -> None:
    wrong = [
        f"{block.where}: {' '.join(words)}: {', '.join(unknown)}"
        for page in PAGES
        for block in blocks(page)
        for words in trueup_commands(block)
        if (unknown := unknown_options(words))
    ]
    assert not wrong, "\n".join(wrong)
    assert unknown_options(["trueup", "push", "--acept-data-loss"]) == ["--acept-data-loss"]
    assert unknown_options(["trueup", "histroy"]) == ["histroy"]
    assert unknown_options(["trueup", "history", "show", "2", "--json"]) == []


def test_dockerfiles_write_json_forms_as_json() -> None:
    files = [ROOT / "examples" / "mediaserver" / "Dockerfile"]
    texts = [(str(f), f.read_text()) for f in files] + [
        (b.where, b.code) for page in PAGES for b in blocks(page) if b.lang == "dockerfile"
    ]
    assert len(texts) >= 2
    for where, text in texts:
        assert not dockerfile_problems(text), where
    # What Docker would take as shell form: a comment after the array, a bad array.
    assert dockerfile_problems('ENTRYPOINT ["/app/entrypoint.sh"]   # exec trueup start\n')
    assert dockerfile_problems("CMD ['python', 'app.py']\n")
    assert dockerfile_problems('RUN ["a", \\\n  "b"] # c\n')
    assert not dockerfile_problems('# a comment\nCMD ["python", \\\n    "/app/app.py"]\n')
    assert not dockerfile_problems("RUN pip install . # shell form: the shell's comment\n")


def test_tables_render_whole() -> None:
    """A table is one run of `|` lines under a header and its separator: a blank line in
    it would end it, and the rest would show as text."""
    wrong = []
    for page in PAGES:
        lines = page.read_text().splitlines()
        fenced = False
        for i, line in enumerate(lines):
            if line.lstrip().startswith("```"):
                fenced = not fenced
            starts = line.startswith("|") and (i == 0 or not lines[i - 1].startswith("|"))
            if fenced or not starts:
                continue
            header = len(_cells(line))
            if i + 1 >= len(lines) or not re.fullmatch(r"\|(\s*:?-+:?\s*\|)+", lines[i + 1]):
                wrong.append(f"{page.name}:{i + 1}: table rows without a header: {line[:60]}")
                continue
            j = i + 2
            while j < len(lines) and lines[j].startswith("|"):
                if len(_cells(lines[j])) != header:
                    wrong.append(f"{page.name}:{j + 1}: not {header} cells: {lines[j][:60]}")
                j += 1
    assert not wrong, "\n".join(wrong)


def _cells(row: str) -> list[str]:
    inner = row.strip().removeprefix("|")
    inner = inner[:-1] if inner.endswith("|") and not inner.endswith("\\|") else inner
    return re.split(r"(?<!\\)\|", inner)


def test_every_test_in_the_prisma_grammar_tables_exists() -> None:
    text = (ROOT / "docs" / "prisma-grammar.md").read_text()
    named = re.findall(r"`(test_\w+\.py)::(test_\w+)`", text)
    cases = re.findall(r"`((?:conformance|invalid|sqlite)/[\w/]+\.prisma)`", text)
    assert named and cases
    for module, test in named:
        source = (ROOT / "tests" / "prisma" / module).read_text()
        assert re.search(rf"^def {test}\(", source, re.MULTILINE), f"{module}::{test}"
    for case in cases:
        assert (ROOT / "tests" / "prisma" / "corpus" / case).exists(), case


def test_every_entry_of_the_architecture_tree_exists() -> None:
    """The folder tree in docs/architecture.md names files and folders that are there."""
    text = (ROOT / "docs" / "architecture.md").read_text()
    tree = text.split("```text\n", 1)[1].split("```", 1)[0].splitlines()
    assert tree[0] == "src/trueup/"
    parents: list[str] = []
    missing = []
    for line in tree[1:]:
        name = line.split()[0] if line.strip() else ""
        if not name.endswith(("/", ".py")):
            continue  # a description's second line
        depth = (len(line) - len(line.lstrip())) // 2 - 1
        parents = [*parents[:depth], name]
        found = list((ROOT / "src" / "trueup").glob("".join(parents).rstrip("/")))
        if not found:
            missing.append("".join(parents))
    assert missing == []
