"""Import the app's models as the app imports them, and find their ``MetaData``.

The current folder and the folders of ``--python-path`` come first on ``sys.path`` (a
console script's own folder is there instead, and the app would not be found). A file
(``app/models.py``) inside a package is imported under its dotted name (``app.models``),
so that it is the same module the rest of the app imports. Whatever the app prints while
it is imported goes to stderr: stdout may be trueup's JSON.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType, TracebackType
from typing import Any

from trueup.errors import SchemaError
from trueup.sources.sqlalchemy.spec import ModelsSpec

INSTALL_HINT = (
    "trueup imports the app, so it runs in the app's Python environment: install it there "
    "with `pip install 'trueup[sqlalchemy]'`."
)
FIX_HINT = (
    "Fix the app so that the module imports (`python -c 'import {name}'`), or add its "
    "folder with --python-path."
)


class AppImportError(SchemaError):
    """Importing the app's models failed: the app's own traceback, under a heading."""

    def __init__(self, spec: ModelsSpec, name: str, error: BaseException, hint: str) -> None:
        self.details = _app_traceback(error)
        super().__init__(
            f"Importing the models {spec.target} failed. The app's own error:\n\n"
            + self.details.rstrip(),
            hint=f"Nothing was changed. {hint}",
        )


@dataclass(frozen=True, slots=True)
class Found:
    """The metadata the models declare, the module the spec names and its folder (where
    the data steps are, in ``trueup/steps``)."""

    metadata: Any  # sqlalchemy.MetaData
    module: ModuleType
    folder: str


def import_models(spec: ModelsSpec, python_path: Sequence[str] = ()) -> Found:
    """Import the module (or file) of ``spec`` and find the metadata in it."""
    name = spec.module or _import_name(spec.file or "")
    folders = [os.path.abspath(p) for p in (*python_path, ".")]
    if spec.file is not None:
        if not os.path.isfile(spec.file):
            raise SchemaError(
                f"The models file {spec.file} does not exist.",
                hint="Pass --schema path/to/models.py, or a module: --schema myapp.models:Base.",
            )
        folders.insert(0, _package_root(os.path.abspath(spec.file)))
    for folder in reversed(folders):
        if folder not in sys.path:
            sys.path.insert(0, folder)
    module = _import(spec, name)
    target: Any = module
    for part in spec.attr.split(".") if spec.attr else ():
        try:
            target = getattr(target, part)
        except AttributeError:
            raise SchemaError(
                f"{spec.target} has no attribute {spec.attr!r}.",
                hint=f"Name the declarative base or the MetaData: --schema {spec.target}:Base "
                f"or {spec.target}:metadata.",
            ) from None
    metadata = _metadata_of(target) if spec.attr else _metadata_in(module, spec)
    if metadata is None:
        raise SchemaError(
            f"{spec.text} is not SQLAlchemy metadata: {type(target).__name__} has no MetaData.",
            hint="Name a declarative base (a class with .metadata), a MetaData, SQLModel, or "
            "Flask-SQLAlchemy's db.",
        )
    return Found(metadata, module, _folder_of(module))


def _import(spec: ModelsSpec, name: str) -> ModuleType:
    try:
        with contextlib.redirect_stdout(sys.stderr):
            return importlib.import_module(name)
    except KeyboardInterrupt:
        raise
    except ModuleNotFoundError as exc:
        if exc.name == name or (exc.name and name.startswith(exc.name + ".")):
            raise SchemaError(
                f"No module named {exc.name!r} (for the schema {spec.text}), looked for in "
                f"{os.getcwd()} and the app's import path.",
                hint="Run trueup from the app's folder, or add the folder the module is in "
                "with --python-path (or $TRUEUP_PYTHON_PATH).",
            ) from None
        hint = INSTALL_HINT if exc.name == "sqlalchemy" else FIX_HINT.format(name=name)
        raise AppImportError(spec, name, exc, hint) from None
    except BaseException as exc:  # the app's own error, whatever it is (SystemExit too)
        raise AppImportError(spec, name, exc, FIX_HINT.format(name=name)) from None


def _metadata_of(target: Any) -> Any:
    """The MetaData ``target`` is or holds (``Base.metadata``, ``SQLModel.metadata``,
    Flask-SQLAlchemy's ``db.metadata``); None if neither."""
    sqlalchemy = sys.modules.get("sqlalchemy")
    if sqlalchemy is None:
        return None  # the app never imported SQLAlchemy: it declares no metadata
    if isinstance(target, sqlalchemy.MetaData):
        return target
    try:
        held = getattr(target, "metadata", None)
    except Exception:  # a property of the app's that fails: not a metadata holder
        return None
    return held if isinstance(held, sqlalchemy.MetaData) else None


def _metadata_in(module: ModuleType, spec: ModelsSpec) -> Any:
    """The one metadata the module's names hold."""
    found: dict[int, tuple[Any, list[str]]] = {}
    for key, value in vars(module).items():
        if key.startswith("__") or isinstance(value, ModuleType):
            continue
        metadata = _metadata_of(value)
        if metadata is not None:
            found.setdefault(id(metadata), (metadata, []))[1].append(key)
    if len(found) == 1:
        return next(iter(found.values()))[0]
    if not found:
        raise SchemaError(
            f"The module {spec.target} holds no SQLAlchemy metadata (no declarative base, "
            "MetaData or SQLModel in it).",
            hint=f"Name the object that holds it: --schema {spec.target}:Base.",
        )
    names = "; ".join(" = ".join(sorted(n)) for _, n in found.values())
    raise SchemaError(
        f"The module {spec.target} holds {len(found)} different metadata ({names}).",
        hint=f"Name the one to push: --schema {spec.target}:NAME.",
    )


def _package_root(path: str) -> str:
    """The folder above the outermost package that holds the file ``path``."""
    folder = os.path.dirname(path)
    while os.path.isfile(os.path.join(folder, "__init__.py")):
        folder = os.path.dirname(folder)
    return folder


def _import_name(file: str) -> str:
    """The dotted name a file is imported under, from its package root."""
    path = os.path.abspath(file)
    root = _package_root(path)
    return _module_name(os.path.relpath(path, root))


def _module_name(relative: str) -> str:
    parts = relative.removesuffix(".py").split(os.sep)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _folder_of(module: ModuleType) -> str:
    file = getattr(module, "__file__", None)
    return os.path.dirname(os.path.abspath(file)) if file else os.getcwd()


def _app_traceback(error: BaseException) -> str:
    """The traceback from the app's first frame on: trueup's and the import machinery's
    frames say nothing to the person who wrote the app."""
    tb: TracebackType | None = error.__traceback__
    ours = (
        os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
        os.path.dirname(os.path.abspath(importlib.__file__ or "")),
        "<frozen ",
    )
    while tb is not None and tb.tb_frame.f_code.co_filename.startswith(ours):
        tb = tb.tb_next
    if isinstance(error, SystemExit):
        return f"The module called sys.exit({error.code!r}) while it was imported.\n"
    lines = traceback.format_exception(type(error), error, tb)
    return "".join(lines)
