"""What a push is asked to do, in one value every stage of the push reads."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from trueup.apply import StepCallback
    from trueup.diff.renames import Renames
    from trueup.plan import Phase, Plan

DEFAULT_LOCK_TIMEOUT = 60.0


@dataclass(frozen=True, slots=True)
class PushOptions:
    """How a push goes (see :func:`trueup.push.push`, which takes the same names as
    keyword arguments). Whether it applies the plan is not among them: a dry run is the
    plan stage alone (:func:`trueup.push.plan_with`), a push is that and then the apply
    stage (:func:`trueup.push.push_with`)."""

    #: Apply a plan that loses data (steps the data makes impossible still stop it).
    accept_data_loss: bool = False
    #: Empty the database first and build the declared schema anew: all data is lost.
    force_reset: bool = False
    #: Rename hints besides the declared schema's own.
    renames: Renames | None = None
    #: Seconds to wait for the push lock (another push, a long transaction).
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT
    #: Called with the plan once it is made, under the lock, before anything is applied
    #: (also when the database is in sync, with an empty plan).
    on_plan: Callable[[Plan], None] | None = None
    #: Called before each statement runs: (number, total, step).
    on_step: StepCallback | None = None
    #: Tables (by name) the push leaves alone, in the database and in the declared schema.
    ignore: Callable[[str], bool] | None = None
    #: Runs once before the first write, under the lock (the pre-push backup); returns
    #: the backup's path, which the history records. If it raises, nothing is applied.
    before_apply: Callable[[Plan], str | None] | None = None
    #: The statements someone already agreed to: a different plan is not applied.
    expected_steps: tuple[tuple[Phase, str], ...] | None = None
    #: The fingerprint of the schema a reviewed plan was made against: a database whose
    #: schema has changed since is not pushed to.
    expected_fingerprint: str | None = None
    #: Compute the fingerprint of the database's schema as the plan found it.
    with_fingerprint: bool = False
    #: Build new indexes without blocking writes, where the engine can.
    concurrent_indexes: bool = False
