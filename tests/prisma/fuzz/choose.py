"""Choices: the generator asks for a chance, an item, a number, an order, and a source
decides. Under hypothesis (:class:`Chooser`) the source is hypothesis, which replays and
varies them; for a draw that must be the same on every machine (:class:`SeededChooser`,
the CI's) it is a seeded ``random.Random``: hypothesis's own draws also depend on the
constants of the modules a run has imported."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from hypothesis import strategies as st

T = TypeVar("T")
Draw = Callable[[st.SearchStrategy[Any]], Any]


class Chooser:
    """``plain``: spell everything the usual way (lists in brackets, arguments by name in
    the usual order), so that what the case tests is the schema's meaning."""

    def __init__(self, draw: Draw, *, plain: bool = False) -> None:
        self._draw = draw
        self.plain = plain

    def chance(self, p: float) -> bool:
        """True about ``p`` of the time."""
        if p <= 0:
            return False
        return bool(self._draw(st.integers(0, 999)) < p * 1000)

    def pick(self, items: Sequence[T]) -> T:
        return self._draw(st.sampled_from(items))  # type: ignore[no-any-return]

    def integers(self, low: int, high: int) -> int:
        return int(self._draw(st.integers(low, high)))

    def shuffled(self, items: Sequence[T]) -> list[T]:
        return list(self._draw(st.permutations(list(items))))

    def some(self, items: Sequence[T], low: int, high: int) -> list[T]:
        """Between ``low`` and ``high`` of ``items`` (fewer when there are fewer), in a
        drawn order, none twice."""
        count = self.integers(min(low, len(items)), min(high, len(items)))
        return self.shuffled(items)[:count]


class SeededChooser(Chooser):
    """The same choices from a seeded ``random.Random``."""

    def __init__(self, rng: random.Random, *, plain: bool = False) -> None:
        super().__init__(self._unused, plain=plain)
        self._rng = rng

    @staticmethod
    def _unused(strategy: st.SearchStrategy[Any]) -> Any:
        raise TypeError("a SeededChooser draws from its random source")

    def chance(self, p: float) -> bool:
        return p > 0 and self._rng.randrange(1000) < p * 1000

    def pick(self, items: Sequence[T]) -> T:
        return self._rng.choice(list(items))

    def integers(self, low: int, high: int) -> int:
        return self._rng.randint(low, high)

    def shuffled(self, items: Sequence[T]) -> list[T]:
        return self._rng.sample(list(items), len(items))
