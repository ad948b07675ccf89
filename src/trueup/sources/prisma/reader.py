"""A position in a schema's text and the means to match Prisma's terminals there, as a PEG
parser does: a production either matches and moves on, or fails and leaves the position
where it was. The furthest failure is remembered, with what was expected there, so that a
line that matches nothing can be reported precisely.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from trueup.sources.prisma.source import Pos, SourceFile
from trueup.sources.prisma.terminals import (
    BLOCK_COMMENT,
    NEWLINE,
    REST_OF_LINE,
    SPACES,
    name_at,
    path_at,
)

_LF = re.compile("\n")


class Reader:
    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.text = source.text
        self.i = 0
        # Positions are numbered as Prisma numbers them: a line ends at each `\n` only.
        self.line_starts = [0] + [m.end() for m in _LF.finditer(self.text)]
        self.far = 0
        self.wanted: list[str] = []

    # --- positions ------------------------------------------------------------------------

    def pos(self, i: int | None = None) -> Pos:
        at = self.i if i is None else i
        line = bisect_right(self.line_starts, at)
        return Pos(self.source, line, at - self.line_starts[line - 1] + 1)

    def at_end(self) -> bool:
        return self.i >= len(self.text)

    # --- failures -------------------------------------------------------------------------

    def expect(self, what: str) -> None:
        """Note that ``what`` was wanted at the current position."""
        if self.i > self.far:
            self.far, self.wanted = self.i, [what]
        elif self.i == self.far and what not in self.wanted:
            self.wanted.append(what)

    def forget(self) -> None:
        """Start a new item: earlier failures are not this item's."""
        self.far, self.wanted = self.i, []

    def found(self, i: int) -> str:
        """What the text holds at ``i``, for an error message."""
        if i >= len(self.text):
            return "end of file"
        if NEWLINE.match(self.text, i):
            return "end of line"
        end = path_at(self.text, i)
        if end == i:
            end = i + (2 if self.text.startswith(("//", "/*", "@@"), i) else 1)
        return f"`{self.text[i:end]}`"

    def expected(self) -> str:
        shown = self.wanted
        if any(w.startswith("`*/`") for w in shown):  # an open comment explains it all
            shown = [w for w in shown if w.startswith("`*/`")]
        if "a value" in shown:  # the other kinds of value say no more
            shown = [w for w in shown if w not in ("a name", "a string", "`[`")]
        shown = shown[:5]
        if len(shown) <= 1:
            return "".join(shown) or "something else"
        return ", ".join(shown[:-1]) + " or " + shown[-1]

    # --- terminals --------------------------------------------------------------------------

    def spaces(self) -> None:
        m = SPACES.match(self.text, self.i)
        if m is not None:
            self.i = m.end()

    def lit(self, text: str) -> bool:
        if self.text.startswith(text, self.i):
            self.i += len(text)
            return True
        self.expect(f"`{text}`")
        return False

    def peek(self, text: str) -> bool:
        return self.text.startswith(text, self.i)

    def newline(self) -> bool:
        m = NEWLINE.match(self.text, self.i)
        if m is None:
            self.expect("the end of the line")
            return False
        self.i = m.end()
        return True

    def name(self, what: str = "a name") -> str | None:
        end = name_at(self.text, self.i)
        if end == self.i:
            self.expect(what)
            return None
        start, self.i = self.i, end
        return self.text[start:end]

    def path(self, what: str = "a name") -> str | None:
        end = path_at(self.text, self.i)
        if end == self.i:
            self.expect(what)
            return None
        start, self.i = self.i, end
        return self.text[start:end]

    def keyword(self, word: str) -> bool:
        """A keyword is its letters alone (``modelA {`` is the model ``A``, as in Prisma)."""
        if self.text.startswith(word, self.i):
            self.i += len(word)
            return True
        return False

    def comment(self) -> tuple[str, str] | None:
        """One comment, spaces before it included: ``("doc", text)`` for ``///``,
        ``("line", text)`` for ``//``, ``("block", text)`` for ``/* … */``."""
        start = self.i
        self.spaces()
        text = self.text
        if text.startswith("//", self.i):
            end = REST_OF_LINE.match(text, self.i).end()  # type: ignore[union-attr]
            body, self.i = text[self.i : end], end
            if body.startswith("///"):
                return "doc", body[3:]
            return "line", body[2:]
        if text.startswith("/*", self.i):
            m = BLOCK_COMMENT.match(text, self.i)
            if m is not None:
                self.i = m.end()
                return "block", m.group()[2:-2]
            self.expect("`*/` to close the comment")
        else:
            self.expect("a comment")
        self.i = start
        return None
