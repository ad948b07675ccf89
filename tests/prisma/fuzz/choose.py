"""Choices drawn from hypothesis: the generator asks for a chance, an item, a number,
an order; hypothesis decides (and replays, and derandomises) them."""

from __future__ import annotations

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
