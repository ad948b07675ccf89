"""The backup stage of a push: the caller's hook, run once, before the push's first write."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from trueup.plan import Plan


@dataclass
class Backup:
    """The pre-push backup. The first write is the ``before`` data steps when there are
    some (they run before the schema change is planned), else the plan's first statement:
    whichever comes first takes the backup, and the second finds it taken."""

    hook: Callable[[Plan], str | None] | None
    taken: bool = False
    #: Where the backup went (what the hook returned), recorded in the push's history.
    path: str | None = None

    def before_first_write(self, plan: Plan) -> None:
        """Back up now, unless it was done already (or there is no hook). If the hook
        raises, the push stops before it writes anything."""
        if self.hook is None or self.taken:
            return
        self.path = self.hook(plan)
        self.taken = True
