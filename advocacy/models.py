"""Every model, imported in one place so `Base.metadata` is complete (Alembic, tests)."""

from advocacy.admin.models import Setting
from advocacy.auth.models import AuthToken, LoginFailure
from advocacy.core.models import SchedulerLease
from advocacy.db import Base
from advocacy.people.models import Group, Tier, User, UserRole, user_group

__all__ = [
    "AuthToken",
    "Base",
    "Group",
    "LoginFailure",
    "SchedulerLease",
    "Setting",
    "Tier",
    "User",
    "UserRole",
    "user_group",
]
