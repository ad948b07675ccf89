"""Shrink a schema that shows a difference to a small one that still shows it: whole lines
first (delta debugging), then attributes, comments and named arguments within lines."""

from __future__ import annotations

import re
from collections.abc import Callable

from tests.prisma.fuzz.oracle import Files

Still = Callable[[Files], bool]  # does this smaller schema still show the difference?


class Budget:
    """Stops the search after so many tries (each is a run of both tools)."""

    def __init__(self, still: Still, tries: int) -> None:
        self._still = still
        self.left = tries

    def __call__(self, files: Files) -> bool:
        if self.left <= 0:
            return False
        self.left -= 1
        try:
            return self._still(files)
        except Exception:
            return False


Piece = tuple[int, str]  # (file index, text)


def _pieces(files: Files) -> list[Piece]:
    out: list[Piece] = []
    for i, (_, text) in enumerate(files):
        parts = re.split(r"(\r\n|\r|\n)", text)
        for j in range(0, len(parts), 2):
            end = parts[j + 1] if j + 1 < len(parts) else ""
            if parts[j] or end:
                out.append((i, parts[j] + end))
    return out


def _files(template: Files, pieces: list[Piece]) -> Files:
    texts = ["" for _ in template]
    for i, text in pieces:
        texts[i] += text
    return tuple((name, texts[i]) for i, (name, _) in enumerate(template))


def ddmin(items: list[Piece], test: Callable[[list[Piece]], bool]) -> list[Piece]:
    """The classic delta debugging of a list: drop chunks while ``test`` holds."""
    n = 2
    while len(items) >= 2:
        size = -(-len(items) // n)
        chunks = [items[i : i + size] for i in range(0, len(items), size)]
        for k in range(len(chunks)):
            rest = [x for j, c in enumerate(chunks) if j != k for x in c]
            if test(rest):
                items, n = rest, max(n - 1, 2)
                break
        else:
            if n >= len(items):
                break
            n = min(len(items), n * 2)
    return items


#: Parts of a line that can go on their own: a comment, an attribute, a named argument.
PARTS = [
    re.compile(r"\s*//[^\r\n]*"),
    re.compile(r"\s*/\*.*?\*/"),
    re.compile(r"\s*@@?[\w.]+(\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\))?"),
    re.compile(r",\s*\w+\s*:\s*(\"[^\"]*\"|\[[^\]]*\]|[\w.]+(\([^()]*\))?)"),
    re.compile(r"\w+\s*:\s*(\"[^\"]*\"|\[[^\]]*\]|[\w.]+(\([^()]*\))?)\s*,\s*"),
]


def _within_lines(files: Files, still: Still) -> Files:
    pieces = _pieces(files)
    i = 0
    while i < len(pieces):
        changed = False
        for pattern in PARTS:
            for match in list(pattern.finditer(pieces[i][1])):
                text = pieces[i][1]
                smaller = text[: match.start()] + text[match.end() :]
                if smaller == text or match.group(0) not in text:
                    continue
                trial = [*pieces[:i], (pieces[i][0], smaller), *pieces[i + 1 :]]
                if still(_files(files, trial)):
                    pieces, changed = trial, True
                    break
            if changed:
                break
        if not changed:
            i += 1
    return _files(files, pieces)


def _blocks(pieces: list[Piece]) -> list[tuple[int, int]]:
    """The (first, last) pieces of each block: from its keyword to its ``}``."""
    spans, start = [], None
    for k, (_, text) in enumerate(pieces):
        if start is None and re.match(r"\s*(model|view|enum|type|datasource|generator)\b", text):
            start = k
        if start is not None and text.lstrip().startswith("}"):
            spans.append((start, k))
            start = None
    return spans


def _without_blocks(pieces: list[Piece], test: Callable[[list[Piece]], bool]) -> list[Piece]:
    """Whole blocks dropped, one at a time, while ``test`` holds."""
    for first, last in reversed(_blocks(pieces)):
        trial = pieces[:first] + pieces[last + 1 :]
        if test(trial):
            pieces = trial
    return pieces


def _one_by_one(pieces: list[Piece], test: Callable[[list[Piece]], bool]) -> list[Piece]:
    k = 0
    while k < len(pieces):
        trial = pieces[:k] + pieces[k + 1 :]
        if test(trial):
            pieces = trial
        else:
            k += 1
    return pieces


def _relation_pairs(pieces: list[Piece], test: Callable[[list[Piece]], bool]) -> list[Piece]:
    """The two sides of a relation dropped together: lines that name each other's block
    as their type, or share a relation's name."""
    owner, current = [], ""
    for _, text in pieces:
        head = re.match(r"\s*(?:model|view)\s+(\w+)", text)
        current = head.group(1) if head else current
        owner.append(current)
    k = 0
    while k < len(pieces):
        words = pieces[k][1].split()
        for j in range(k + 1, len(pieces)):
            other = pieces[j][1].split()
            if len(words) < 2 or len(other) < 2:
                continue
            crosses = words[1].rstrip("?[]") == owner[j] and other[1].rstrip("?[]") == owner[k]
            names = set(re.findall(r'"[^"]*"', pieces[k][1])) & set(
                re.findall(r'"[^"]*"', pieces[j][1])
            )
            if not crosses and not names:
                continue
            trial = [p for i, p in enumerate(pieces) if i not in (k, j)]
            if test(trial):
                pieces = trial
                k -= 1
                break
        k += 1
    return pieces


def minimise(files: Files, still: Still, tries: int = 400) -> Files:
    """A smaller schema for which ``still`` holds (``files`` itself if none is found)."""
    budget = Budget(still, tries)
    pieces = _pieces(files)
    # The datasource stays whole: without it every schema is wrong the same way, and a
    # reproducer should be one Prisma reads.
    spans = [(a, b) for a, b in _blocks(pieces) if pieces[a][1].lstrip().startswith("datasource")]
    kept = [pieces[i] for a, b in spans for i in range(a, b + 1)]
    rest = [p for i, p in enumerate(pieces) if not any(a <= i <= b for a, b in spans)]

    def test(pieces: list[Piece]) -> bool:
        return budget(_files(files, [*kept, *pieces]))

    pieces = rest
    while True:
        size = sum(len(t) for _, t in pieces)
        pieces = _without_blocks(pieces, test)
        pieces = ddmin(pieces, test)
        pieces = _one_by_one(pieces, test)
        pieces = _relation_pairs(pieces, test)
        if sum(len(t) for _, t in pieces) == size or budget.left <= 0:
            break
    smaller = _within_lines(_files(files, [*kept, *pieces]), budget)
    nonempty = tuple((name, text) for name, text in smaller if text.strip())
    if nonempty and len(nonempty) < len(smaller) and Budget(still, 1)(nonempty):
        return nonempty
    return smaller
