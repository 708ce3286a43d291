"""Everything the platform stores about a person, declared once: the page "What this
platform stores about me" lists these categories, and the JSON export writes them. A new
table with personal data belongs here, or the export test fails (it checks every table
with a user column)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from advocacy.accounts.models import FollowerCount, SocialAccount
from advocacy.admin.models import SettingChange
from advocacy.auth.models import AuthToken
from advocacy.brand.models import BrandTerm, Worksheet, WorksheetVersion
from advocacy.challenges.models import ChallengeResult
from advocacy.core.models import AuditEvent
from advocacy.engagement.models import PointEntry, PointTotal, UserBadge
from advocacy.governance.models import GuidelineAck
from advocacy.me.models import DeletionRequest
from advocacy.notifications.models import DigestSent, Notification
from advocacy.people.models import User
from advocacy.reports.models import ActivityRollup
from advocacy.rewards.models import PointWallet, Redemption
from advocacy.sharing.models import ExecutiveDraft, OutboxPost, Share, ShareMetric
from advocacy.suggestions.models import Suggestion
from advocacy.training.models import TrainingProgress

# Never exported, never shown: secrets and hashes that only serve to check something.
HIDDEN = frozenset({"password_hash", "access_token_enc", "refresh_token_enc", "secret_enc",
                    "token_hash"})


@dataclass(frozen=True)
class Category:
    key: str
    label: Any
    what: Any
    why: Any
    kept: Any
    rows: Callable[[Session, User], sa.Select[Any]]


def _mine(model: Any, column: str = "user_id") -> Callable[[Session, User], sa.Select[Any]]:
    return lambda _s, user: sa.select(model).where(getattr(model, column) == user.id)


def _via_share(model: Any) -> Callable[[Session, User], sa.Select[Any]]:
    return lambda _s, user: sa.select(model).join(Share, Share.id == model.share_id).where(
        Share.user_id == user.id)


CATEGORIES = (
    Category("profile", _l("Profile"),
             _l("Name, e-mail address, language, tier, roles, groups, sharing preferences, "
                "when you were invited and last logged in."),
             _l("To let you log in, show you content meant for you, and address you."),
             _l("As long as your account exists."), _mine(User, "id")),
    Category("shares", _l("Shares"),
             _l("What you shared, on which network, with which text and tracked link; the "
                "number of clicks and your follower count at the time."),
             _l("To send visitors to the content, count clicks and show your numbers."),
             _l("As long as your account exists. If your data are deleted, shares that "
                "went out stay in the programme's totals without your name or text. "
                "Visitors' clicks are counted with a hash that changes daily, never with "
                "their address; each click's record is deleted after the period the "
                "admins set (13 months unless changed), only daily totals remain."),
             _mine(Share)),
    Category("posts", _l("Posts by API"),
             _l("Posts sent from your connected accounts: state, errors, when the first "
                "attempt went out, whether you looked for a post that was not confirmed, "
                "what the network billed for it, the link to the post and the engagement "
                "the network reported."),
             _l("To send your posts once, retry them, and show what they achieved."),
             _l("As long as the share exists."), _via_share(OutboxPost)),
    Category("metrics", _l("Engagement readings"),
             _l("Likes, reposts and replies each time we read them, for 14 days after "
                "posting."), _l("To show engagement as measured."),
             _l("As long as the share exists."), _via_share(ShareMetric)),
    Category("accounts", _l("Connected accounts"),
             _l("Network, handle, display name, follower count (and its daily history), "
                "permissions and expiry. The access tokens are stored encrypted and are "
                "never shown or exported."),
             _l("To post for you when you ask, and to estimate reach."),
             _l("Until you disconnect the account."), _mine(SocialAccount)),
    Category("followers", _l("Follower history"),
             _l("One follower count per connected account and day."),
             _l("To show your network growth if that is your goal."),
             _l("Until you disconnect the account."),
             lambda _s, user: sa.select(FollowerCount).join(
                 SocialAccount, SocialAccount.id == FollowerCount.account_id).where(
                 SocialAccount.user_id == user.id)),
    Category("report_totals", _l("Report totals"),
             _l("Your shares, clicks, estimated reach and engagement per day and month, "
                "network and campaign."),
             _l("So programme reports read totals instead of every click. Reports show them "
                "only added up over groups of people (in works-council mode, at least the "
                "minimum group size)."),
             _l("As long as your account exists; if your data are deleted, they stay "
                "under a number that leads to nobody."), _mine(ActivityRollup, "person_id")),
    Category("points", _l("Points"),
             _l("Each award with its reason, and your totals per period."),
             _l("For the points overview and the leaderboard (you appear by name only if "
                "you opted in)."), _l("As long as your account exists."), _mine(PointEntry)),
    Category("point_totals", _l("Point totals"), _l("Your points per day, week, month, "
                                                    "quarter and in all."),
             _l("So leaderboards read totals, not every award."),
             _l("As long as your account exists."), _mine(PointTotal)),
    Category("badges", _l("Badges"), _l("Which badges you earned, and when."),
             _l("To show them on your points page and profile."),
             _l("As long as your account exists."), _mine(UserBadge)),
    Category("notifications", _l("Notifications"),
             _l("Messages to you inside the platform (badges, answers to your "
                "suggestions) and whether you have read them."),
             _l("So you learn about them the next time you look."),
             _l("As long as your account exists."), _mine(Notification)),
    Category("digests", _l("E-mail digests"),
             _l("When a digest was sent to you (not what it said)."),
             _l("So you get each daily or weekly digest once."),
             _l("As long as your account exists."), _mine(DigestSent)),
    Category("guidelines", _l("Guideline confirmations"),
             _l("Which version of the social-media guidelines you confirmed, and when."),
             _l("Sharing requires the current guidelines to be confirmed."),
             _l("As long as your account exists."), _mine(GuidelineAck)),
    Category("drafts", _l("Drafts prepared for you"),
             _l("Posts communications prepared for you to approve (tier 1)."),
             _l("So that nothing is posted in your name without your approval."),
             _l("As long as your account exists."), _mine(ExecutiveDraft, "executive_id")),
    Category("worksheet", _l("Personal-brand worksheet"),
             _l("Your answers, the Social-CEO answers, your checklist ticks and whom you "
                "shared it with."),
             _l("To rank your feed and coach you. Only you and a coach you choose read it."),
             _l("As long as your account exists."), _mine(Worksheet)),
    Category("worksheet_versions", _l("Worksheet versions"),
             _l("Each saved version of your worksheet with its date."),
             _l("So you can look back and compare."), _l("As long as your account exists."),
             _mine(WorksheetVersion)),
    Category("worksheet_terms", _l("Worksheet topics for the feed"),
             _l("Your worksheet's topics and hashtags in lower case."),
             _l("To rank your feed quickly."), _l("Until you change the worksheet."),
             _mine(BrandTerm)),
    Category("sign_in_links", _l("Sign-in links"),
             _l("When a password-reset or invitation link was made for you and whether it "
                "was used (the link itself is stored only as a hash)."),
             _l("So a link works once and expires."),
             _l("Until the link has expired and the hourly clean-up removes it."),
             _mine(AuthToken)),
    Category("suggestions", _l("Suggestions"),
             _l("Links you suggested, your note, what the page said about itself, and the "
                "decision of communications."),
             _l("So communications can review them and you can follow them."),
             _l("As long as your account exists."), _mine(Suggestion)),
    Category("challenge_results", _l("Challenge results"),
             _l("Your place, count and bonus points in challenges that ended."),
             _l("To show the results (others see your name only if you opted in to the "
                "leaderboard)."), _l("As long as your account exists."),
             _mine(ChallengeResult)),
    Category("rewards", _l("Rewards"),
             _l("Rewards you exchanged points for, their price, and whether they were "
                "handed over or declined (with the reason)."),
             _l("So an admin can hand them over and you can follow them."),
             _l("As long as your account exists."), _mine(Redemption)),
    Category("points_spent", _l("Points spent"), _l("How many points you spent on rewards."),
             _l("So you cannot spend the same points twice; your lifetime points stay."),
             _l("As long as your account exists."), _mine(PointWallet)),
    Category("training", _l("Training"),
             _l("Which training modules you tried, how often, and when you passed them (not "
                "your answers)."),
             _l("So a module required before sharing or for tier 2 is asked for once."),
             _l("As long as your account exists."), _mine(TrainingProgress)),
    Category("deletion_requests", _l("Deletion requests"),
             _l("When you asked for your data to be deleted, your reason, and the admin's "
                "answer."),
             _l("So an admin can confirm or decline the request."),
             _l("Until your data are deleted. Afterwards the request is kept without your "
                "name or reason, as the record that it was carried out."),
             _mine(DeletionRequest)),
    Category("activity", _l("Your actions in the audit log"),
             _l("Actions others must be able to trace: sharing your worksheet, pausing "
                "posts, reviewing content."), _l("Accountability for actions that affect "
                                                 "others."),
             _l("As long as the audit log is kept."), _mine(AuditEvent, "actor_id")),
    Category("setting_changes", _l("Changes of locked settings you asked for"),
             _l("As an admin: changes of settings the works agreement fixes that you asked "
                "for, and who confirmed or withdrew them."),
             _l("A second admin has to confirm such a change."),
             _l("As long as the audit log is kept."), _mine(SettingChange, "requested_by_id")),
)


def _value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def as_dict(row: Any) -> dict[str, Any]:
    """A row's columns as JSON values, without the hidden ones."""
    return {column.key: _value(getattr(row, column.key))
            for column in sa.inspect(row).mapper.column_attrs if column.key not in HIDDEN}


def counts(session: Session, user: User) -> dict[str, int]:
    """How many rows of each category there are for `user` (one query per category)."""
    return {c.key: session.scalar(sa.select(sa.func.count()).select_from(
        c.rows(session, user).subquery())) or 0 for c in CATEGORIES}


def export(session: Session, user: User, now: dt.datetime) -> dict[str, Any]:
    data: dict[str, Any] = {"exported_at": now.isoformat(), "person_id": user.id}
    for category in CATEGORIES:
        data[category.key] = [as_dict(row) for row in session.scalars(
            category.rows(session, user))]
    profile = data["profile"][0]
    profile["roles"] = sorted(user.roles)
    profile["groups"] = sorted(g.name for g in user.groups)
    profile["tier"] = user.tier.name
    return data
