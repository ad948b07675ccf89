"""SQLAlchemy (and SQLModel) models as the declared schema.

``--schema myapp.models:Base`` (a declarative base, or anything with a ``metadata``),
``myapp.models:metadata`` (a ``MetaData``), ``myapp.models`` (a module: its one metadata is
found) or ``app/models.py`` (a file). The app is imported as it imports itself, the
metadata is compiled by SQLAlchemy into the DDL ``metadata.create_all()`` would run on the
target engine, and that DDL runs in a scratch database which is then inspected like the
live one: both sides of the diff come out of one normaliser.

This package's ``__init__`` and :mod:`.spec` import nothing beyond the standard library:
deciding whether a schema names models costs nothing on the paths of the other sources.
SQLAlchemy is imported only when models are read (by the app itself, first).
"""

from trueup.sources.sqlalchemy.spec import ModelsSpec, is_models_spec

__all__ = ["ModelsSpec", "is_models_spec"]
