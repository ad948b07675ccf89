"""A ``--schema`` that names models: its key for the quick path, and its reading.

Both import the app (Python caches the import: the second costs nothing). The key is the
hash of the DDL SQLAlchemy makes for the models, so it changes when the models change,
whichever files they are in and however they are made (a table name from the
environment, a mixin in another package, a new SQLAlchemy version).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from trueup.sources.declared import Source
from trueup.sources.sqlalchemy.importing import import_models
from trueup.sources.sqlalchemy.spec import ModelsSpec, parse_spec

if TYPE_CHECKING:
    from trueup.sources.declared import Declared
    from trueup.urls import DatabaseURL


def _spec(path: str) -> ModelsSpec:
    spec = parse_spec(path)
    assert spec is not None, path
    return spec


def load_models(
    path: str,
    engine: str | None,
    *,
    ignore: Callable[[str], bool] | None = None,
    url: DatabaseURL | None = None,
    python_path: Sequence[str] = (),
) -> Declared:
    from trueup.sources.sqlalchemy.load import load_metadata

    spec = _spec(path)
    found = import_models(spec, python_path)
    return load_metadata(
        found.metadata, spec.text, engine, ignore=ignore, url=url, steps_folder=found.folder
    )


def models_key(path: str, engine: str | None, options: str, python_path: Sequence[str] = ()) -> str:
    found = import_models(_spec(path), python_path)
    return metadata_key(found.metadata, engine, options, found.folder)


def metadata_key(metadata: Any, engine: str | None, options: str, steps: str | None) -> str:
    from trueup import __version__
    from trueup.engines import default_engine
    from trueup.sources.sqlalchemy.compile import create_ddl
    from trueup.sources.sqlalchemy.load import models_hash, read_steps_in
    from trueup.sources.sqlalchemy.renames import rename_hints

    compiled = create_ddl(metadata, engine or default_engine())
    digest = models_hash(compiled, rename_hints(metadata), read_steps_in(steps))
    return f"{digest}|{__version__}|{engine}|{options}"


@dataclass
class MetadataSource(Source):
    """Metadata the app holds already (``trueup.sync()``), its data steps in
    ``steps_folder``."""

    metadata: Any = None
    steps_folder: str | None = None

    def key(self) -> str:
        return metadata_key(self.metadata, self.engine, self.options, self.steps_folder)

    def load(self) -> Declared:
        from trueup.sources.sqlalchemy.load import load_metadata

        if self._loaded is None:
            self._loaded = load_metadata(
                self.metadata,
                self.path,
                self.engine,
                ignore=self.ignore,
                url=self.url,
                steps_folder=self.steps_folder,
            )
            if self.on_load is not None:
                self.on_load(self._loaded)
        return self._loaded
