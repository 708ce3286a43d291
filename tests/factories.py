"""Plain functions that build test data through the real services."""

from __future__ import annotations

import itertools

from sqlalchemy.orm import Session

from advocacy.people.models import Group, User
from advocacy.people.services import PersonData, create_user
from advocacy.security import hash_password

PASSWORD = "correct horse battery"
_counter = itertools.count(1)
_PASSWORD_HASH = hash_password(PASSWORD)  # hashing is slow on purpose; do it once


def make_user(session: Session, *, email: str | None = None, name: str | None = None,
              roles: set[str] | None = None, tier_id: int = 3, language: str = "en",
              password: str | None = PASSWORD, is_active: bool = True,
              groups: list[Group] | None = None) -> User:
    number = next(_counter)
    user = create_user(session, PersonData(
        email=email or f"person{number}@example.org", name=name or f"Person {number}",
        language=language, tier_id=tier_id, roles=roles or {"employee"},
        group_ids={g.id for g in groups or []}, is_active=is_active,
    ))
    if password is not None:
        user.password_hash = _PASSWORD_HASH if password == PASSWORD else hash_password(password)
    session.flush()
    return user


def make_group(session: Session, *, kind: str = "department", name: str | None = None) -> Group:
    group = Group(kind=kind, name=name or f"Group {next(_counter)}")
    session.add(group)
    session.flush()
    return group


