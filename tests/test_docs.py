"""Every command is documented, and the documents the README links to exist."""

from __future__ import annotations

import re
from pathlib import Path

import click

from trueup.cli import cli

ROOT = Path(__file__).resolve().parent.parent


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
