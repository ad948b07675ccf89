"""Read what SQLite's pragmas do not tell from the stored ``CREATE`` statements.

The pragmas give columns, declared types, defaults, NOT NULL, primary-key order, indexes and
foreign keys. They do not give CHECK constraints, generated-column expressions, collations,
``AUTOINCREMENT``, constraint names, foreign-key deferral, table options, or the text of
expression index keys and partial-index ``WHERE`` clauses. Those come from here, and so does
how a few things are spelled (a default as written, ``ASC``, actions written out, a blank
line before the key), so a table is written again as it was.

The statements read here were accepted by SQLite itself, so this is a reader for valid SQL,
not a validator: it walks the tokens and keeps the spans it needs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from trueup.engines.sqlite.ddl_reader import Reader
from trueup.engines.sqlite.lexer import Kind, fold


@dataclass(slots=True)
class ParsedForeignKey:
    columns: list[str]
    ref_table: str
    ref_columns: list[str]
    name: str | None = None
    on_delete: str = "NO ACTION"
    on_update: str = "NO ACTION"
    deferral: str = "NOT DEFERRABLE"
    written_actions: bool = False  # ON DELETE and ON UPDATE both written


@dataclass(slots=True)
class ParsedColumn:
    name: str
    collation: str | None = None
    autoincrement: bool = False
    generated: tuple[str, bool] | None = None  # (expression text, stored)
    checks: list[tuple[str | None, str]] = field(default_factory=list)
    primary_key_name: str | None = None
    primary_key_conflict: str | None = None
    unique_name: str | None = None
    unique_conflict: str | None = None
    not_null_conflict: str | None = None
    is_unique: bool = False
    foreign_key: ParsedForeignKey | None = None
    default: str | None = None  # as written after DEFAULT


@dataclass(slots=True)
class ParsedTable:
    name: str
    columns: list[ParsedColumn] = field(default_factory=list)
    primary_key_name: str | None = None
    primary_key_conflict: str | None = None
    primary_key_set_apart: bool = False  # the table constraint follows a blank line
    # (constraint name, columns, conflict clause)
    uniques: list[tuple[str | None, list[str], str | None]] = field(default_factory=list)
    checks: list[tuple[str | None, str]] = field(default_factory=list)
    foreign_keys: list[ParsedForeignKey] = field(default_factory=list)
    options: set[str] = field(default_factory=set)

    def column(self, name: str) -> ParsedColumn | None:
        low = fold(name)
        for col in self.columns:
            if fold(col.name) == low:
                return col
        return None


@dataclass(slots=True)
class ParsedIndexPart:
    text: str  # the key as written, without COLLATE / ASC / DESC
    is_column: bool
    collation: str | None = None
    descending: bool = False
    written_asc: bool = False


@dataclass(slots=True)
class ParsedIndex:
    name: str
    table: str
    unique: bool
    parts: list[ParsedIndexPart]
    where: str | None = None


_COLUMN_CONSTRAINT_START = {
    "CONSTRAINT",
    "PRIMARY",
    "NOT",
    "NULL",
    "UNIQUE",
    "CHECK",
    "DEFAULT",
    "COLLATE",
    "REFERENCES",
    "GENERATED",
    "AS",
}
_TABLE_CONSTRAINT_START = {"CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"}
_BLANK_LINE = re.compile(r"\n[ \t\r]*\n")


# The same statement text is read again and again (the declared schema and the live database
# usually hold identical CREATE statements), and the result is never changed: cache it.
@lru_cache(maxsize=4096)
def parse_create_table(sql: str) -> ParsedTable:
    r = Reader(sql)
    r.accept_word("CREATE")
    r.accept_word("TEMP", "TEMPORARY")
    if not r.accept_word("TABLE"):
        raise ValueError("not a CREATE TABLE statement")
    if r.accept_word("IF"):
        r.accept_word("NOT")
        r.accept_word("EXISTS")
    table = ParsedTable(r.qualified_name())
    r.expect("(")
    while True:
        tok = r.peek()
        if tok is not None and tok.upper in _TABLE_CONSTRAINT_START:
            gap = sql[r.tokens[r.i - 1].end : tok.start]
            if _table_constraint(r, table) == "PRIMARY":
                table.primary_key_set_apart = _BLANK_LINE.search(gap) is not None
        else:
            table.columns.append(_column(r))
        if r.accept(","):
            continue
        r.expect(")")
        break
    while (tok := r.peek()) is not None and tok.text != ";":
        if r.accept_word("WITHOUT"):
            r.accept_word("ROWID")
            table.options.add("WITHOUT ROWID")
        elif r.accept_word("STRICT"):
            table.options.add("STRICT")
        else:
            r.next()
    return table


def _column(r: Reader) -> ParsedColumn:
    col = ParsedColumn(r.name())
    # The declared type: words and an optional "(n)" / "(n, m)", up to the first constraint.
    while (tok := r.peek()) is not None and tok.text not in (",", ")"):
        if tok.upper in _COLUMN_CONSTRAINT_START:
            break
        if tok.text == "(":
            r.balanced()
        else:
            r.next()
    pending_name: str | None = None
    while (tok := r.peek()) is not None and tok.text not in (",", ")"):
        if r.accept_word("CONSTRAINT"):
            pending_name = r.name()
        elif r.accept_word("GENERATED"):
            r.accept_word("ALWAYS")  # "AS (…)" follows, and the name is still its
        else:
            _column_constraint(r, col, pending_name)
            pending_name = None
    return col


def _column_constraint(r: Reader, col: ParsedColumn, name: str | None) -> None:
    """Read one column constraint (named ``name``, if it was) into ``col``."""
    word = tok.upper if (tok := r.peek()) is not None else ""
    if r.accept_word("PRIMARY"):
        r.accept_word("KEY")
        col.primary_key_name = name
        r.accept_word("ASC", "DESC")
        col.primary_key_conflict = _conflict_clause(r)
        if r.accept_word("AUTOINCREMENT"):
            col.autoincrement = True
    elif r.accept_word("NOT"):
        r.accept_word("NULL")
        col.not_null_conflict = _conflict_clause(r)
    elif r.accept_word("NULL"):
        _conflict_clause(r)
    elif r.accept_word("UNIQUE"):
        col.is_unique = True
        col.unique_name = name
        col.unique_conflict = _conflict_clause(r)
    elif r.accept_word("CHECK"):
        start, end = r.balanced()
        col.checks.append((name, r.sql[start:end]))
    elif r.accept_word("DEFAULT"):
        col.default = _default(r)
    elif r.accept_word("COLLATE"):
        col.collation = r.name()
    elif word == "REFERENCES":
        fk = _references(r, [col.name])
        fk.name = name
        col.foreign_key = fk
    elif r.accept_word("AS"):
        col.generated = _generated(r)
    else:
        r.next()  # something this reader does not model; SQLite accepted it


def _default(r: Reader) -> str:
    """A column's DEFAULT (after the word): a literal, a signed number or ``(expr)``."""
    first = r.next()
    if first.text == "(" and first.kind is Kind.PUNCT:
        r.i -= 1
        r.balanced()
    elif first.text in ("+", "-"):
        r.next()
    return r.sql[first.start : r.tokens[r.i - 1].end]


def _generated(r: Reader) -> tuple[str, bool]:
    """A generated column's ``(expr)`` (after AS) and whether it is STORED."""
    start, end = r.balanced()
    stored = r.accept_word("STORED")
    if not stored:
        r.accept_word("VIRTUAL")
    return r.sql[start:end], stored


def _conflict_clause(r: Reader) -> str | None:
    """``ON CONFLICT ROLLBACK | ABORT | FAIL | IGNORE | REPLACE``: the resolution, if any.
    ABORT is what SQLite does without a clause, so it reads as none."""
    if r.at_word("ON") and (nxt := r.peek(1)) is not None and nxt.is_word("CONFLICT"):
        r.i += 2
        word = r.next().upper
        return None if word == "ABORT" else word
    return None


def _table_constraint(r: Reader, table: ParsedTable) -> str:
    """Read one table constraint into ``table``; the word that says its kind."""
    name: str | None = None
    if r.accept_word("CONSTRAINT"):
        name = r.name()
    tok = r.peek()
    kind = tok.upper if tok is not None else ""
    if r.accept_word("PRIMARY"):
        r.accept_word("KEY")
        r.indexed_names()
        table.primary_key_name = name
        table.primary_key_conflict = _conflict_clause(r)
    elif r.accept_word("UNIQUE"):
        columns = r.indexed_names()
        table.uniques.append((name, columns, _conflict_clause(r)))
    elif r.accept_word("CHECK"):
        start, end = r.balanced()
        table.checks.append((name, r.sql[start:end]))
    elif r.accept_word("FOREIGN"):
        r.accept_word("KEY")
        columns = r.name_list()
        fk = _references(r, columns)
        fk.name = name
        table.foreign_keys.append(fk)
    r.skip_until_top_level(set())
    return kind


def _references(r: Reader, columns: list[str]) -> ParsedForeignKey:
    if not r.accept_word("REFERENCES"):
        raise ValueError("expected REFERENCES")
    fk = ParsedForeignKey(columns, r.name(), [])
    if r.at("("):
        fk.ref_columns = r.name_list()
    written: set[str] = set()
    while (tok := r.peek()) is not None:
        if r.accept_word("ON"):
            which = r.next().upper
            action = _action(r)
            written.add(which)
            if which == "DELETE":
                fk.on_delete = action
            elif which == "UPDATE":
                fk.on_update = action
        elif r.accept_word("MATCH"):
            r.next()
        elif tok.is_word("NOT") and (nxt := r.peek(1)) is not None and nxt.is_word("DEFERRABLE"):
            r.i += 2
            _initially(r)
            fk.deferral = "NOT DEFERRABLE"
        elif r.accept_word("DEFERRABLE"):
            fk.deferral = (
                "DEFERRABLE INITIALLY DEFERRED"
                if _initially(r) == "DEFERRED"
                else "DEFERRABLE INITIALLY IMMEDIATE"
            )
        else:
            break
    fk.written_actions = written >= {"DELETE", "UPDATE"}
    return fk


def _initially(r: Reader) -> str | None:
    if r.accept_word("INITIALLY"):
        return r.next().upper
    return None


def _action(r: Reader) -> str:
    if r.accept_word("SET"):
        return "SET " + r.next().upper
    if r.accept_word("NO"):
        r.accept_word("ACTION")
        return "NO ACTION"
    return r.next().upper


@lru_cache(maxsize=4096)
def parse_create_index(sql: str) -> ParsedIndex:
    r = Reader(sql)
    r.accept_word("CREATE")
    unique = r.accept_word("UNIQUE")
    if not r.accept_word("INDEX"):
        raise ValueError("not a CREATE INDEX statement")
    if r.accept_word("IF"):
        r.accept_word("NOT")
        r.accept_word("EXISTS")
    name = r.qualified_name()
    if not r.accept_word("ON"):
        raise ValueError("expected ON")
    table = r.name()
    r.expect("(")
    parts: list[ParsedIndexPart] = []
    while True:
        start, end = r.skip_until_top_level({"COLLATE", "ASC", "DESC"})
        key_tokens = [t for t in r.tokens if start <= t.start < end]
        part = ParsedIndexPart(
            r.sql[start:end].strip(),
            len(key_tokens) == 1 and key_tokens[0].kind in (Kind.WORD, Kind.QUOTED, Kind.STRING),
        )
        if part.is_column:
            part.text = key_tokens[0].name
        while True:
            if r.accept_word("COLLATE"):
                part.collation = r.name()
            elif r.accept_word("DESC"):
                part.descending = True
            elif r.accept_word("ASC"):
                part.written_asc = True
            else:
                break
        parts.append(part)
        if not r.accept(","):
            break
    r.expect(")")
    where: str | None = None
    if r.accept_word("WHERE"):
        first = r.peek()
        if first is not None:
            end_tok = r.tokens[-1] if r.tokens[-1].text != ";" else r.tokens[-2]
            where = r.sql[first.start : end_tok.end]
    return ParsedIndex(name, table, unique, parts, where)
