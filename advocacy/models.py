"""Every model, imported in one place so `Base.metadata` is complete (Alembic, tests)."""

from advocacy.accounts.models import FollowerCount, MastodonApp, SocialAccount
from advocacy.admin.models import Setting
from advocacy.auth.models import AuthToken, LoginFailure
from advocacy.brand.models import BrandTerm, Worksheet, WorksheetVersion
from advocacy.challenges.models import Challenge, ChallengeResult, challenge_group
from advocacy.content.models import Campaign, ContentItem, ShareText, Topic
from advocacy.core.models import AuditEvent, JobState, SchedulerLease
from advocacy.db import Base
from advocacy.engagement.models import PointEntry, PointTotal, UserBadge
from advocacy.feeds.models import FeedEntry, NewsFeed
from advocacy.governance.models import Guideline, GuidelineAck, GuidelineText
from advocacy.me.models import DeletionRequest
from advocacy.notifications.models import DigestSent, Notification
from advocacy.people.models import Group, Tier, User, UserRole, user_group
from advocacy.reports.models import ActivityRollup, ItemRollup, ReportCell
from advocacy.rewards.models import PointWallet, Redemption, Reward
from advocacy.sharing.models import (
    Click,
    ExecutiveDraft,
    NetworkBudget,
    OutboxPost,
    Share,
    ShareMetric,
)
from advocacy.sso.models import SsoGroupGrant, SsoRule
from advocacy.suggestions.models import Suggestion
from advocacy.training.models import QuizQuestion, TrainingModule, TrainingProgress

__all__ = [
    "ActivityRollup",
    "AuditEvent",
    "AuthToken",
    "Base",
    "BrandTerm",
    "Campaign",
    "Challenge",
    "ChallengeResult",
    "Click",
    "ContentItem",
    "DeletionRequest",
    "DigestSent",
    "ExecutiveDraft",
    "FeedEntry",
    "FollowerCount",
    "Group",
    "Guideline",
    "GuidelineAck",
    "GuidelineText",
    "ItemRollup",
    "JobState",
    "LoginFailure",
    "MastodonApp",
    "NetworkBudget",
    "NewsFeed",
    "Notification",
    "OutboxPost",
    "PointEntry",
    "PointTotal",
    "PointWallet",
    "QuizQuestion",
    "Redemption",
    "ReportCell",
    "Reward",
    "SchedulerLease",
    "Setting",
    "Share",
    "ShareMetric",
    "ShareText",
    "SocialAccount",
    "SsoGroupGrant",
    "SsoRule",
    "Suggestion",
    "Tier",
    "Topic",
    "TrainingModule",
    "TrainingProgress",
    "User",
    "UserBadge",
    "UserRole",
    "Worksheet",
    "WorksheetVersion",
    "challenge_group",
    "user_group",
]
