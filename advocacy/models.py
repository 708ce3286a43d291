"""Every model, imported in one place so `Base.metadata` is complete (Alembic, tests)."""

from advocacy.admin.models import Setting
from advocacy.auth.models import AuthToken, LoginFailure
from advocacy.content.models import Campaign, ContentItem, ShareText, Topic
from advocacy.core.models import JobState, SchedulerLease
from advocacy.db import Base
from advocacy.engagement.models import PointEntry, PointTotal
from advocacy.governance.models import Guideline, GuidelineAck
from advocacy.people.models import Group, Tier, User, UserRole, user_group
from advocacy.sharing.models import Click, Share

__all__ = [
    "AuthToken", "Base", "Campaign", "Click", "ContentItem", "Group", "Guideline",
    "GuidelineAck", "JobState", "LoginFailure", "PointEntry", "PointTotal", "SchedulerLease",
    "Setting", "Share", "ShareText", "Tier", "Topic", "User", "UserRole", "user_group",
]
