"""The cases of a run, drawn by hypothesis: valid schemas in the usual spelling (what they
test is their meaning), in any spelling Prisma reads (the grammar), and broken ones."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from tests.prisma.fuzz.choose import Chooser, Draw
from tests.prisma.fuzz.document import documents
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
    kind = draw(st.sampled_from(kinds)) if len(kinds) > 1 else kinds[0]
    c = Chooser(draw, plain=kind == "plain")
    doc = draw(documents(provider, major, plain=kind == "plain"))
    note = ""
    if kind == "mutant":
        note = mutate(c, doc) or ""
    files = render(c, doc, draw_style(c))
    if kind == "text-mutant":
        mutated = mutate_text(c, files)
        if mutated is not None:
            files, note = mutated
    return Case(tuple(files.items()), provider, kind, note)
