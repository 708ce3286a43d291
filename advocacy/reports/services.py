"""Programme figures for HR and communications; aggregates only, never individuals."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from advocacy.people.models import Group, User, UserRole, user_group
from advocacy.reports.reach import Rates


@dataclass(frozen=True)
class GroupCount:
    kind: str
    name: str
    people: int


def enrolled_people(session: Session) -> int:
    """Active people who hold the employee role: those who can share."""
    return session.scalar(
        sa.select(sa.func.count(sa.distinct(User.id)))
        .join(UserRole, UserRole.user_id == User.id)
        .where(User.is_active, UserRole.role == "employee")
    ) or 0


def people_per_group(session: Session) -> list[GroupCount]:
    """Active people per group, by kind then name, in one query (empty groups included)."""
    rows = session.execute(
        sa.select(Group.kind, Group.name, sa.func.count(User.id))
        .outerjoin(user_group, user_group.c.group_id == Group.id)
        .outerjoin(User, sa.and_(User.id == user_group.c.user_id, User.is_active))
        .group_by(Group.id, Group.kind, Group.name)
        .order_by(Group.kind, sa.func.lower(Group.name))
    )
    return [GroupCount(kind, name, count) for kind, name, count in rows]


def parse_rates(text: str) -> dict[str, Rates]:
    """The stored EMV rates ("linkedin=12.5/1.2;x=8/0.9") as CPM and CPC per network.
    Entries that do not parse are skipped: the form never stores such text."""
    rates = {}
    for entry in text.split(";"):
        network, _, values = entry.partition("=")
        cpm, _, cpc = values.partition("/")
        try:
            rates[network.strip()] = Rates(float(cpm), float(cpc))
        except ValueError:
            continue
    return rates


def format_rates(rates: dict[str, Rates]) -> str:
    return ";".join(f"{network}={rate.cpm:g}/{rate.cpc:g}"
                    for network, rate in sorted(rates.items()))
