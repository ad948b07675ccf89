"""The cases of a run, drawn by hypothesis: valid schemas in the usual spelling (what they
test is their meaning), in any spelling Prisma reads (the grammar), and broken ones."""

from __future__ import annotations

import random
from dataclasses import dataclass

from hypothesis import strategies as st

from tests.prisma.fuzz.choose import Chooser, Draw, SeededChooser
from tests.prisma.fuzz.document import document
from tests.prisma.fuzz.mutants import mutate, mutate_text
from tests.prisma.fuzz.oracle import Files
from tests.prisma.fuzz.render import draw_style, render

KINDS = ("plain", "spelled", "mutant", "text-mutant")


@dataclass(frozen=True)
class Case:
    files: Files
    provider: str
    kind: str  # one of KINDS
    note: str = ""  # what a mutant broke


@st.composite
def cases(draw: Draw, provider: str, major: int = 6, kinds: tuple[str, ...] = KINDS) -> Case:
    return case(Chooser(draw), provider, major, kinds)


def seeded_cases(seed: int, provider: str, count: int, major: int = 6) -> list[Case]:
    """``count`` cases from ``seed``: the same ones on every machine and every run."""
    rng = random.Random(f"{seed}-{provider}")
    return [case(SeededChooser(rng), provider, major) for _ in range(count)]


def case(c: Chooser, provider: str, major: int = 6, kinds: tuple[str, ...] = KINDS) -> Case:
    kind = c.pick(kinds)
    c.plain = kind == "plain"
    doc = document(c, provider, major)
    note = ""
    if kind == "mutant":
        note = mutate(c, doc) or ""
    files = render(c, doc, draw_style(c))
    if kind == "text-mutant":
        mutated = mutate_text(c, files)
        if mutated is not None:
            files, note = mutated
    return Case(tuple(files.items()), provider, kind, note)
