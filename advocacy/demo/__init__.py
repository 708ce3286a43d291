"""The demo company: people, groups and settings that make every page come alive.

Loading is idempotent: people are found by e-mail, groups by name, so running it again adds
nothing twice. The named logins get a new password on every run (the one given, or a random
one that is printed), because stored passwords cannot be shown again.
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from sqlalchemy.orm import Session

from advocacy.demo.people import load_people
from advocacy.people.models import User


def database_is_empty(session: Session) -> bool:
    return session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def load_demo(session: Session, password: str | None = None) -> list[tuple[str, str, str]]:
    """Load or complete the demo company; return (email, role, password) of the logins."""
    return load_people(session, password or (lambda: secrets.token_urlsafe(9)))
