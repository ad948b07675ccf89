"""A cursor over the tokens of one SQL statement, for the readers of stored ``CREATE``
statements (:mod:`trueup.engines.sqlite.ddl`)."""

from __future__ import annotations

from trueup.engines.sqlite.lexer import Kind, Token, tokenize


class Reader:
    """A cursor over the tokens of one statement."""

    def __init__(self, sql: str) -> None:
        self.sql = sql
        self.tokens = tokenize(sql)
        self.i = 0

    def peek(self, offset: int = 0) -> Token | None:
        j = self.i + offset
        return self.tokens[j] if j < len(self.tokens) else None

    def next(self) -> Token:
        tok = self.peek()
        if tok is None:
            raise ValueError("unexpected end of statement")
        self.i += 1
        return tok

    def at_word(self, *words: str) -> bool:
        tok = self.peek()
        return tok is not None and tok.is_word(*words)

    def at(self, text: str) -> bool:
        tok = self.peek()
        return tok is not None and tok.kind is Kind.PUNCT and tok.text == text

    def accept_word(self, *words: str) -> bool:
        if self.at_word(*words):
            self.i += 1
            return True
        return False

    def accept(self, text: str) -> bool:
        if self.at(text):
            self.i += 1
            return True
        return False

    def expect(self, text: str) -> None:
        if not self.accept(text):
            raise ValueError(f"expected {text!r}")

    def name(self) -> str:
        tok = self.next()
        if tok.kind not in (Kind.WORD, Kind.QUOTED, Kind.STRING):
            raise ValueError(f"expected a name, found {tok.text!r}")
        return tok.name

    def qualified_name(self) -> str:
        name = self.name()
        if self.accept("."):
            name = self.name()  # the schema prefix ("main.t") is not part of the name
        return name

    def balanced(self) -> tuple[int, int]:
        """Consume a parenthesised group; return the source span inside the parentheses."""
        self.expect("(")
        start = self.peek()
        depth = 1
        inner_start = start.start if start else len(self.sql)
        while True:
            tok = self.next()
            if tok.text == "(" and tok.kind is Kind.PUNCT:
                depth += 1
            elif tok.text == ")" and tok.kind is Kind.PUNCT:
                depth -= 1
                if depth == 0:
                    return inner_start, tok.start

    def skip_until_top_level(self, stop_words: set[str]) -> tuple[int, int]:
        """Consume tokens up to a top-level ``,`` or ``)`` or one of ``stop_words``;
        return the consumed span."""
        first = self.peek()
        start = first.start if first else len(self.sql)
        end = start
        depth = 0
        while (tok := self.peek()) is not None:
            if tok.kind is Kind.PUNCT and tok.text == "(":
                depth += 1
            elif tok.kind is Kind.PUNCT and tok.text == ")":
                if depth == 0:
                    break
                depth -= 1
            elif depth == 0 and (tok.text == "," or tok.upper in stop_words):
                break
            end = tok.end
            self.i += 1
        return start, end

    def name_list(self) -> list[str]:
        self.expect("(")
        names = [self.name()]
        while self.accept(","):
            names.append(self.name())
        self.expect(")")
        return names

    def indexed_names(self) -> list[str]:
        """``(a COLLATE x DESC, b)`` as plain names (the PK / UNIQUE column lists)."""
        self.expect("(")
        names: list[str] = []
        while True:
            names.append(self.name())
            self.skip_until_top_level(set())
            if not self.accept(","):
                break
        self.expect(")")
        return names
