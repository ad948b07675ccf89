"""Owners, privileges, comments and options of the objects a push drops and makes again.

PostgreSQL cannot change the query of a view in place once a column it reads changes, nor
take a value out of an enum: the planner drops such a view and makes it again, and makes a
new enum type. Whatever was granted on the old object, its owner, comment and options go
with it, and so do a materialized view's indexes. trueup does not manage these (the schema
model leaves them out, so they never make a change), but it gives them back: the catalog is
read when the plan is made, in the push's transaction (``queries/extras.sql``), and the plan
makes and grants them again right after it makes the object, so a dry run shows the
statements a push runs.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from trueup.engines.base import ColumnExtras, Extras, Grant, IndexExtras, ObjectExtras
from trueup.engines.postgres.quoting import literal, qualified, quote

#: The privileges PostgreSQL grants on relations and types (aclexplode's names).
PRIVILEGES = frozenset(
    {
        "SELECT",
        "INSERT",
        "UPDATE",
        "DELETE",
        "TRUNCATE",
        "REFERENCES",
        "TRIGGER",
        "MAINTAIN",
        "USAGE",
    }
)
_KINDS = {"r": "relation", "T": "type"}


def read_extras(rows: Iterable[Sequence[Any]], default_schema: str) -> Extras:
    """The rows of ``queries/extras.sql`` as :class:`ObjectExtras`, objects with nothing
    to give back left out."""
    out: dict[tuple[str, str | None, str], ObjectExtras] = {}
    for kind, schema, name, owner, owned, comment, options, old, new, columns, indexes in rows:
        privileges, new_privileges = _grants(old), _grants(new)
        if privileges == new_privileges:
            privileges = new_privileges = ()
        extras = ObjectExtras(
            owner=None if owned else owner,
            privileges=privileges,
            new_privileges=new_privileges,
            comment=comment,
            options=tuple(options or ()),
            columns=tuple(
                ColumnExtras(col, col_comment, _grants(acl))
                for col, col_comment, acl in _json(columns)
            ),
            indexes=tuple(
                IndexExtras(index, definition, index_comment, tuple(sorted(_json(reads))))
                for index, definition, index_comment, reads in _json(indexes)
            ),
        )
        if extras != ObjectExtras():
            out[(_KINDS[kind], None if schema == default_schema else schema, name)] = extras
    return out


def _json(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(json.loads(value) if isinstance(value, str) else value)


def _grants(value: Any) -> tuple[Grant, ...]:
    """aclexplode's rows as privileges, one per grantee and privilege (held with the grant
    option if any grantor gave that), sorted."""
    held: dict[tuple[str | None, str], bool] = {}
    for grantee, privilege, grantable in _json(value):
        if privilege not in PRIVILEGES:
            raise ValueError(f"unknown privilege {privilege!r}")
        key = (grantee, privilege)
        held[key] = held.get(key, False) or bool(grantable)
    order = sorted(held, key=lambda k: (k[0] is not None, k[0] or "", k[1]))
    return tuple(Grant(p, g, held[(g, p)]) for g, p in order)


def give_back(
    kind: str,
    name: str,
    label: str,
    extras: ObjectExtras,
    *,
    same_columns: bool,
    schema: str | None = None,
) -> list[tuple[str, str]]:
    """The statements (each with what it is for) that give a new object what the one it
    replaces had. ``kind`` is how ALTER and COMMENT name it (``VIEW``, ``MATERIALIZED
    VIEW``, ``TYPE``), ``name`` its quoted name, ``label`` its name for people, ``schema``
    its schema (None: the default one), where its indexes are.
    ``same_columns`` says that the new object has the old one's columns (a view made again
    from the same query); otherwise a column's privileges and comment are given back only
    if the new object has that column, and an index (with its comment) only if the new
    object has every column it reads.

    Indexes come first: making one takes the object's owner, which may be given back to a
    role the pushing one is not."""
    out: list[tuple[str, str]] = []
    why = f"{label} keeps its indexes"
    if not same_columns:
        why += " (those whose columns it still has)"
    for index in extras.indexes:
        statements = [index.definition]
        if index.comment is not None:
            on = qualified(index.name, schema)
            statements.append(f"COMMENT ON INDEX {on} IS {literal(index.comment)}")
        for sql in statements:
            out.append((sql if same_columns else _if_columns(name, index.columns, sql), why))
    if extras.owner is not None:
        owner = quote(extras.owner)
        out.append((f"ALTER {kind} {name} OWNER TO {owner}", f"{label} keeps its owner"))
    on = f"TYPE {name}" if kind == "TYPE" else f"TABLE {name}"
    for sql in _grant_statements(on, extras.new_privileges, extras.privileges):
        out.append((sql, f"{label} keeps its privileges"))
    if extras.options:
        options = ", ".join(_option(o) for o in extras.options)
        out.append((f"ALTER {kind} {name} SET ({options})", f"{label} keeps its options"))
    if extras.comment is not None:
        comment = literal(extras.comment)
        out.append((f"COMMENT ON {kind} {name} IS {comment}", f"{label} keeps its comment"))
    for col in extras.columns:
        statements = _grant_statements(on, (), col.privileges, column=col.name)
        if col.comment is not None:
            statements.append(
                f"COMMENT ON COLUMN {name}.{quote(col.name)} IS {literal(col.comment)}"
            )
        why = f"{label}.{col.name} keeps its privileges and comment"
        for sql in statements:
            out.append((sql if same_columns else _if_columns(name, (col.name,), sql), why))
    # Each purpose is said once, above the first of its statements.
    return [
        (sql, why if i == 0 or out[i - 1][1] != why else "") for i, (sql, why) in enumerate(out)
    ]


def _grant_statements(
    on: str, has: tuple[Grant, ...], wanted: tuple[Grant, ...], *, column: str | None = None
) -> list[str]:
    """The REVOKE and GRANT statements that take ``on`` (or its ``column``) from the
    privileges ``has`` to ``wanted``: one per grantee and kind of statement."""
    now = {(g.grantee, g.privilege): g.grantable for g in has}
    goal = {(g.grantee, g.privilege): g.grantable for g in wanted}
    revoke: dict[tuple[str | None, bool], list[str]] = {}  # (grantee, option only)
    grant: dict[tuple[str | None, bool], list[str]] = {}  # (grantee, with grant option)
    for (grantee, privilege), grantable in now.items():
        if (grantee, privilege) not in goal:
            revoke.setdefault((grantee, False), []).append(privilege)
        elif grantable and not goal[(grantee, privilege)]:
            revoke.setdefault((grantee, True), []).append(privilege)
    for (grantee, privilege), grantable in goal.items():
        if (grantee, privilege) not in now or (grantable and not now[(grantee, privilege)]):
            grant.setdefault((grantee, grantable), []).append(privilege)
    cols = "" if column is None else f" ({quote(column)})"
    out: list[str] = []
    for (grantee, option_only), privileges in revoke.items():
        head = "REVOKE GRANT OPTION FOR" if option_only else "REVOKE"
        listed = ", ".join(p + cols for p in privileges)
        out.append(f"{head} {listed} ON {on} FROM {_role(grantee)}")
    for (grantee, grantable), privileges in grant.items():
        listed = ", ".join(p + cols for p in privileges)
        option = " WITH GRANT OPTION" if grantable else ""
        out.append(f"GRANT {listed} ON {on} TO {_role(grantee)}{option}")
    return out


def _role(grantee: str | None) -> str:
    return "PUBLIC" if grantee is None else quote(grantee)


def _option(option: str) -> str:
    """A stored option (``security_barrier=true``) as ALTER ... SET writes it."""
    key, _, value = option.partition("=")
    return f"{quote(key)} = {literal(value)}"


def _if_columns(relation: str, columns: Sequence[str], sql: str) -> str:
    """``sql``, run only if ``relation`` (a quoted name) has all of ``columns``."""
    if not columns:
        return sql
    has = " AND ".join(
        "EXISTS (SELECT FROM pg_attribute "
        f"WHERE attrelid = {literal(relation)}::regclass AND attname = {literal(column)} "
        "AND attnum > 0 AND NOT attisdropped)"
        for column in columns
    )
    body = f"BEGIN IF {has} THEN EXECUTE {literal(sql)}; END IF; END"
    tag = "$trueup$"
    while tag in body:
        tag = tag[:-1] + "_$"
    return f"DO {tag} {body} {tag}"
