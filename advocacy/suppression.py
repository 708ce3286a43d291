"""The works-council rule, kept in one place: no figure about fewer than k people is shown
to anyone but those people themselves.

Every figure about people that leaves the system (reports, their exports and charts, the
programme health page, the quarterly summary, leaderboards and challenge standings seen by
others, the API) passes through this module; nothing else decides what is hidden.

A *cell* is a slice of people in a period (a tier, a group, a network, a day). Its figures
fall into *parts*, each resting on its own people:

- ``cell``: enrolled people (population), active advocates (who shared) and everyone
  behind a share or a click. When any of them is between 1 and k-1 the whole cell shows
  "fewer than k".
- ``clicks``: clicks and the value of clicks; they rest on the people whose links were
  clicked.
- ``split``: shares by API and by share link; they rest on who used each way.
- ``measured``: interactions and the engagement rate; they rest on the people whose posts a
  network measured.
- ``impressions``: impressions, click-through rate, the value of impressions and how many
  shares had them; they rest on the people whose posts had impressions.
- ``followers`` and ``reported``: reach from follower counts read from connected accounts,
  and from counts people entered themselves, with how many shares each covers.
- ``reach``: the estimated reach of both kinds together; it rests on both groups of
  people (shown beside one of them, it would give the other away).

A hidden part is not enough when the table also shows a total: the total minus the
visible cells would give it back. So more cells are hidden, smallest first, until what is
hidden covers, for each count of people the part rests on, at least k people or nobody
(complementary suppression). Where the cells are
subsets of a total without dividing it (groups: a person may be in several or none), the
total minus one visible cell is a figure about the people outside it, so that cell is
hidden when they number fewer than k.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Protocol, TypeVar

CELL = "cell"
# The people each part rests on (attribute names of a cell); "cell" comes first because
# a hidden cell hides all its parts.
PARTS: dict[str, tuple[str, ...]] = {
    CELL: ("population", "people", "contributors"),
    "clicks": ("clickers",),
    "split": ("api_people", "link_people"),
    "measured": ("measured_people",),
    "impressions": ("impression_people",),
    "followers": ("follower_people",),
    "reported": ("reported_people",),
    "reach": ("follower_people", "reported_people"),
}


class Cell(Protocol):
    population: int | None
    people: int
    contributors: int
    clickers: int
    api_people: int
    link_people: int
    measured_people: int
    impression_people: int
    follower_people: int
    reported_people: int
    hidden: frozenset[str]


C = TypeVar("C", bound=Cell)


def small(count: int | None, k: int) -> bool:
    """A count of people that must not be shown: 1 to k-1. Nobody (0) is no person."""
    return count is not None and 0 < count < k


def _counts(cell: Cell, part: str) -> list[int | None]:
    return [getattr(cell, name) for name in PARTS[part]]


def too_small(cell: Cell, k: int, part: str = CELL) -> bool:
    """Whether a part of a cell rests on fewer than k people. A cell of enrolled people
    with fewer than k of them is small even when nobody in it was active: that nobody
    did anything is a fact about them too."""
    if part == CELL and cell.population is not None and cell.population < k:
        return True
    return any(small(count, k) for count in _counts(cell, part))


def _outside_too_small(cell: Cell, whole: Cell, k: int, part: str) -> bool:
    """Whether `whole` minus `cell` (its subset) would describe fewer than k people."""
    for name in PARTS[part]:
        inner, outer = getattr(cell, name), getattr(whole, name)
        if inner is not None and outer is not None and small(outer - inner, k):
            return True
    return False


def protect(cells: Sequence[C], k: int, disjoint: bool = False,
            whole: Cell | None = None) -> list[C]:
    """The cells with every part that would show fewer than k people hidden.

    How many people the hidden cells of a part cover together is their sum only when
    nobody can be in two cells (`disjoint`, e.g. tiers). Otherwise (groups, networks, days)
    the same people may be in several, and only the largest is a sure lower bound. For
    the cell itself, enrolled people count too: that a few people did nothing is a fact
    about them.
    `whole` is the total the cells are subsets of when they do not divide it (groups).
    """
    hidden = [set(cell.hidden) for cell in cells]
    for part in PARTS:
        chosen = {index for index, cell in enumerate(cells)
                  if CELL in hidden[index] or part in hidden[index]
                  or too_small(cell, k, part)
                  or (whole is not None and _outside_too_small(cell, whole, k, part))}
        _complete(cells, chosen, k, part, disjoint)
        for index in chosen:
            hidden[index].add(part)
    return [cell if hidden[index] == set(cell.hidden)
            else dataclasses.replace(cell, hidden=frozenset(hidden[index]))  # type: ignore[type-var]
            for index, cell in enumerate(cells)]


def _complete(cells: Sequence[Cell], chosen: set[int], k: int, part: str,
              disjoint: bool) -> None:
    """Add cells to `chosen` until, for each count of people the part rests on, what the
    hidden cells cover together is nobody or at least k people (or nothing is left that
    would help). Each count on its own: hidden cells that cover many people who shared by
    link may still cover one who shared by API. Ties go to the earlier cell, so the same
    cells give the same result."""
    while chosen:
        short = None
        for name in PARTS[part]:
            values = [getattr(cells[index], name) or 0 for index in chosen]
            covered = sum(values) if disjoint else max(values)
            if 0 < covered < k:
                short = name
                break
        if short is None:
            return
        helping = [index for index in range(len(cells))
                   if index not in chosen and (getattr(cells[index], short) or 0) > 0]
        if not helping:
            return
        chosen.add(min(helping, key=lambda index: (getattr(cells[index], short), index)))


def hides(cell: Cell, part: str) -> bool:
    return CELL in cell.hidden or part in cell.hidden


def group_too_small(members: int, k: int | None) -> bool:
    """Whether a list of people (a leaderboard, a team's standing) of this many members is
    too small to be shown to anyone outside it."""
    return k is not None and members < k
