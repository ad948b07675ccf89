"""What the declared sources ask of PostgreSQL (see :mod:`trueup.engines.source_hooks`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trueup.engines.source_hooks import SourceHooks

if TYPE_CHECKING:
    from trueup.engines.base import Session


class PostgresSourceHooks(SourceHooks):
    scratch_needs_server = True
    sqlalchemy_url = "postgresql+psycopg://"
    key_version = (16, 0)

    def server_version(self, session: Session) -> tuple[int, ...]:
        number = int(session.query("SHOW server_version_num")[0][0])
        return (number // 10000, number % 10000)

    def prepare_sqlalchemy(self, dialect: Any, version: tuple[int, ...]) -> None:
        super().prepare_sqlalchemy(dialect, version)
        dialect.supports_identity_columns = version >= (10,)
        dialect.supports_virtual_generated_columns = version >= (18,)
        dialect.supports_smallserial = version >= (9, 2)
