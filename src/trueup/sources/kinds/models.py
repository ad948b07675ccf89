"""SQLAlchemy (and SQLModel) models, named by module or file (see
:mod:`trueup.sources.sqlalchemy`): not files, and keyed by the DDL they make."""

from __future__ import annotations

from typing import TYPE_CHECKING

from trueup.sources.registry import DeclaredSource

if TYPE_CHECKING:
    from trueup.sources.declared import Declared, Source


class Models:
    reads = "SQLAlchemy models (myapp.models:Base, or a .py file)"

    def locate(self, path: str) -> list[str] | None:
        # A schema file of another kind is told by its name alone: its push must not load
        # this kind's reader (the quick path of every container start passes here).
        if path.strip().lower().endswith((".sql", ".prisma")):
            return None
        from trueup.sources.sqlalchemy.spec import is_models_spec

        return [] if is_models_spec(path) else None

    def key(self, source: Source) -> str:
        from trueup.sources.sqlalchemy.source import models_key

        return models_key(source.path, source.engine, source.options, source.python_path)

    def load(self, source: Source) -> Declared:
        from trueup.sources.sqlalchemy.source import load_models

        return load_models(
            source.path,
            source.engine,
            ignore=source.ignore,
            url=source.url,
            python_path=source.python_path,
        )


MODELS: DeclaredSource = Models()
