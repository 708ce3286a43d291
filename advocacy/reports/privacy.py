"""The works-council rules: no figure that covers fewer than k people.

A cell is hidden ("fewer than k") when its population or the people behind its activity
number fewer than k. Hiding one cell of a table is not enough when the table also shows
a total: the total minus the visible cells would give the hidden one back. So more cells
are hidden, smallest first, until what is hidden covers at least k people or nothing.
"""

from __future__ import annotations

import dataclasses
from typing import Protocol, TypeVar


class Cell(Protocol):
    population: int | None
    contributors: int
    suppressed: bool


C = TypeVar("C", bound=Cell)


def too_small(cell: Cell, k: int) -> bool:
    if cell.population is not None and cell.population < k:
        return True
    return 0 < cell.contributors < k


def _weight(cell: Cell) -> int:
    """How many people a hidden cell stands for: its population where it has one (even
    inactivity is a fact about people), else the people behind its activity."""
    return cell.population if cell.population is not None else cell.contributors


def protect(cells: list[C], k: int, disjoint: bool = False) -> list[C]:
    """The cells with the small ones marked suppressed, and enough others with them.

    How many people the hidden cells cover together is their sum only when nobody can be
    in two cells (`disjoint`, e.g. tiers). Otherwise (groups, networks, days) the same
    people may be in several, and only the largest cell is a sure lower bound.
    """
    hidden = {index for index, cell in enumerate(cells) if too_small(cell, k)}
    while hidden:
        weights = [_weight(cells[index]) for index in hidden]
        covered = sum(weights) if disjoint else max(weights)
        if covered == 0 or covered >= k:
            break
        visible = [index for index in range(len(cells))
                   if index not in hidden and _weight(cells[index]) > 0]
        if not visible:
            break
        hidden.add(min(visible, key=lambda index: _weight(cells[index])))
    return [dataclasses.replace(cell, suppressed=True) if index in hidden else cell  # type: ignore[type-var]
            for index, cell in enumerate(cells)]
