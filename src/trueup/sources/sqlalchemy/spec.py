"""What a ``--schema`` value that names SQLAlchemy models looks like, told from the text
alone (no import): ``pkg.module:attr``, ``pkg.module``, ``path/to/models.py`` or
``path/to/models.py:attr``."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

_DOTTED = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")
#: The files the other sources read: never models, whatever else the name looks like.
_OTHER_SUFFIXES = (".sql", ".prisma")


@dataclass(frozen=True, slots=True)
class ModelsSpec:
    """Where the models are: a module (``module``) or a file (``file``), and in it the
    object that holds the metadata (``attr``, a dotted path; None: found in the module)."""

    text: str
    module: str | None = None
    file: str | None = None
    attr: str | None = None

    @property
    def target(self) -> str:
        """The module or file, as written."""
        return self.module or self.file or self.text


def parse_spec(text: str) -> ModelsSpec | None:
    """The models ``text`` names, or None when it names a schema file of another kind (or
    anything that is not a module or a ``.py`` file)."""
    value = text.strip()
    if not value or value.lower().endswith(_OTHER_SUFFIXES):
        return None
    target, attr = value, None
    head, sep, tail = value.rpartition(":")
    if sep and _DOTTED.fullmatch(tail) and head:
        target, attr = head, tail
    if target.endswith(".py"):
        return ModelsSpec(text, file=target, attr=attr)
    if _DOTTED.fullmatch(target) and (attr is not None or not _is_path(target)):
        return ModelsSpec(text, module=target, attr=attr)
    return None


def _is_path(name: str) -> bool:
    """Whether a bare name is a schema path rather than a module: something of that name
    is here, and it is not a package."""
    return os.path.exists(name) and not os.path.isfile(os.path.join(name, "__init__.py"))


def is_models_spec(text: str) -> bool:
    return parse_spec(text) is not None
