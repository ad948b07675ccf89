"""One change for a constraint that changes but stays itself.

The differ pairs constraints by their whole definition; what is left over is dropped or
added. Where constraints are objects of their own (``DiffHooks.pair_constraints``), a drop
and an add that are the same constraint become one change:

- the same definition under another name: :class:`~trueup.diff.changes.RenameConstraint`
  (a foreign key, a check or a unique constraint);
- a foreign key on the same columns to the same parent columns:
  :class:`~trueup.diff.changes.ModifyForeignKey` (its actions or deferral change);
- a check under the same name: :class:`~trueup.diff.changes.ModifyCheck` (its expression
  changes).

Renames are paired first. Each drop, in order, is paired with the first add that fits; the
pair takes the drop's place and the add goes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from trueup.diff import changes as ch
from trueup.diff.hooks import DiffHooks

_Rule = Callable[[ch.TableChange, ch.TableChange], ch.TableChange | None]


def pair_constraints(parts: list[ch.TableChange], hooks: DiffHooks) -> list[ch.TableChange]:
    parts = _pair(parts, _renamed)
    return _pair(parts, lambda drop, add: _modified(drop, add, hooks))


def _pair(parts: list[ch.TableChange], rule: _Rule) -> list[ch.TableChange]:
    out = list(parts)
    i = 0
    while i < len(out):
        for j, other in enumerate(out):
            one = rule(out[i], other)
            if one is not None:
                out[i] = one
                del out[j]
                if j < i:  # the add came first: the pair moved up one place
                    i -= 1
                break
        i += 1
    return out


def _renamed(drop: ch.TableChange, add: ch.TableChange) -> ch.RenameConstraint | None:
    """The rename, when ``drop`` and ``add`` are one constraint but for its name."""
    if isinstance(drop, ch.DropForeignKey) and isinstance(add, ch.AddForeignKey):
        old_fk, new_fk = drop.foreign_key, add.foreign_key
        return _rename(old_fk, new_fk, replace(old_fk, name=None) == replace(new_fk, name=None))
    if isinstance(drop, ch.DropCheck) and isinstance(add, ch.AddCheck):
        return _rename(drop.check, add.check, drop.check.expression == add.check.expression)
    if isinstance(drop, ch.DropIndex) and isinstance(add, ch.AddIndex):
        old, new = drop.index, add.index
        same = (
            old.constraint and new.constraint and replace(old, name=None) == replace(new, name=None)
        )
        return _rename(old, new, same)
    return None


def _rename(old: ch.Constraint, new: ch.Constraint, same: bool) -> ch.RenameConstraint | None:
    if same and old.name and new.name and old.name != new.name:
        return ch.RenameConstraint(old, new)
    return None


def _modified(
    drop: ch.TableChange, add: ch.TableChange, hooks: DiffHooks
) -> ch.ModifyForeignKey | ch.ModifyCheck | None:
    """The change, when ``drop`` and ``add`` are one foreign key whose actions change or
    one check whose expression changes."""
    if isinstance(drop, ch.DropForeignKey) and isinstance(add, ch.AddForeignKey):
        old, new = drop.foreign_key, add.foreign_key
        same_link = (
            hooks.names(old.columns) == hooks.names(new.columns)
            and (old.ref_schema, hooks.key(old.ref_table))
            == (new.ref_schema, hooks.key(new.ref_table))
            and hooks.names(old.ref_columns) == hooks.names(new.ref_columns)
        )
        return ch.ModifyForeignKey(old, new) if same_link else None
    if isinstance(drop, ch.DropCheck) and isinstance(add, ch.AddCheck):
        old_check, new_check = drop.check, add.check
        named = old_check.name and new_check.name
        if named and hooks.key(old_check.name or "") == hooks.key(new_check.name or ""):
            return ch.ModifyCheck(old_check, new_check)
    return None
