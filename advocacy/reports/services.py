"""Programme figures for HR and communications; aggregates only, never individuals."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from advocacy.people.models import Group, User, UserRole, user_group


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
