"""The quick path of a push: a database that the last push left in sync from the very same
source (same files, same options, its schema untouched since) is in sync at once, without
reading either schema. This is what every container start runs, so it stays cheap: the
differ, the checks and the schema's parser are never imported on it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from trueup import history
from trueup.sources.declared import Source

if TYPE_CHECKING:
    from trueup.engines.base import Dialect, Session
    from trueup.push_load import Desired
    from trueup.push_options import PushOptions


@dataclass(frozen=True, slots=True)
class QuickKey:
    """What ties a database's history to the source a push is made from."""

    #: The source's key (its files' hash, trueup's version, the options) and the renames
    #: asked for: recorded with every push from a source.
    push_key: str
    #: The digest of the database's schema when the quick path was tried (None when it was
    #: not: a reset, a fingerprint asked for or expected). A push that then finds nothing
    #: to do records it, so that the next push takes the quick path.
    digest: str | None


def quick_key(session: Session, desired: Desired, options: PushOptions) -> QuickKey | None:
    """The key of a push from a Source (None for anything else: it is read already, or has
    no files to hash), with the database's schema digest when the quick path may be taken."""
    if not isinstance(desired, Source):
        return None
    renames = options.renames
    push_key = desired.key() + f"|{sorted(renames.tables.items()) if renames else ''}"
    push_key += f"|{sorted(renames.columns.items()) if renames else ''}"
    quick = (
        not options.force_reset
        and options.expected_fingerprint is None
        and not options.with_fingerprint
    )
    return QuickKey(push_key, session.schema_digest() if quick else None)


def in_sync_at_once(session: Session, dialect: Dialect, key: QuickKey | None) -> bool:
    """Whether the history says the database is in sync with the key's source: the last
    push from it left the schema whose digest the database still has."""
    if key is None or key.digest is None:
        return False
    return history.in_sync_since_last_push(session, dialect, key.push_key, key.digest)
