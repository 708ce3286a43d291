"""Coaching helpers: a profile checklist per network, daily and weekly routines, message
templates, and a maturity level read from what the person actually did."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from advocacy.accounts.models import SocialAccount
from advocacy.brand.models import Worksheet
from advocacy.people.models import User
from advocacy.sharing.models import Share

PROFILE_NETWORKS = {"linkedin": "LinkedIn", "xing": "XING", "x": "X", "mastodon": "Mastodon",
                    "bluesky": "Bluesky"}
PROFILE_CHECKS = {
    "photo": _l("A recent, friendly photo of you"),
    "banner": _l("A banner that shows what you work on"),
    "headline": _l("A headline with your keywords"),
    "about": _l("An about text in your own words"),
    "featured": _l("A featured link: an article, a talk, a project"),
}
DAILY = {
    "read": _l("Ten minutes in your feed"),
    "react": _l("React to three posts from your network"),
    "comment": _l("Write one comment that adds something"),
    "answer": _l("Answer comments and messages"),
}
WEEKLY = {
    "post": _l("Post at least once in your own words"),
    "connect": _l("Connect with people you met or worked with this week"),
    "review": _l("Look at what worked last week"),
    "plan": _l("Plan next week's posts"),
}
TEMPLATES = (
    (_l("Connection request after meeting someone"),
     _l("Hello {name}, it was good to talk at {event} about {topic}. I would be glad to stay "
        "in touch here.")),
    (_l("Thank you for a recommendation or a share"),
     _l("Thank you for sharing my post on {topic}, {name}. What was most useful for you?")),
    (_l("Reply to a question under your post"),
     _l("Good question, {name}. In short: {answer}. I am happy to go into more detail.")),
)
OWN_WORDS_FOR_EXPERT = 5
NETWORKS_FOR_EXPERT = 2
SHARES_FOR_ADVANCED = 3
WINDOW_DAYS = 90


def profile_done(checks: dict[str, Any]) -> list[str]:
    """Networks whose profile checklist is ticked off completely."""
    ticked = checks.get("profile", {})
    return [n for n in PROFILE_NETWORKS if set(ticked.get(n, [])) >= set(PROFILE_CHECKS)]


def routine_ticks(checks: dict[str, Any], period: str, today: dt.date) -> list[str]:
    """Ticks of the daily or weekly routine, only if they belong to this day or week (they
    start empty again each day or Monday)."""
    stored = checks.get(period, {})
    return stored.get("done", []) if stored.get("since") == _period_start(period, today) \
        else []


def _period_start(period: str, today: dt.date) -> str:
    start = today if period == "daily" else today - dt.timedelta(days=today.weekday())
    return start.isoformat()


def save_checks(sheet: Worksheet, profile: dict[str, list[str]], daily: list[str],
                weekly: list[str], today: dt.date) -> None:
    sheet.checks = {  # a new dict, so the JSON column sees the change
        "profile": {n: [c for c in PROFILE_CHECKS if c in profile.get(n, [])]
                    for n in PROFILE_NETWORKS if profile.get(n)},
        "daily": {"since": _period_start("daily", today), "done": daily},
        "weekly": {"since": _period_start("weekly", today), "done": weekly},
    }


@dataclass(frozen=True)
class Step:
    key: str
    text: Any
    done: bool


@dataclass(frozen=True)
class Maturity:
    level: str  # beginner | advanced | expert
    steps: list[Step]  # towards the next level (empty for experts)

    @property
    def next_step(self) -> Step | None:
        return next((s for s in self.steps if not s.done), None)


LEVELS = {"beginner": _l("Beginner"), "advanced": _l("Advanced"), "expert": _l("Expert")}


def maturity(session: Session, user: User, sheet: Worksheet, now: dt.datetime) -> Maturity:
    """Beginner (profile, network) -> advanced (sharing, in own words) -> expert (own words
    often, several platforms), from what the person actually did."""
    since = now - dt.timedelta(days=WINDOW_DAYS)
    total, own_words, networks = session.execute(
        sa.select(sa.func.count(),
                  sa.func.count().filter(Share.edited.is_(True), Share.created_at >= since),
                  sa.func.count(sa.distinct(sa.case((Share.created_at >= since,
                                                     Share.network)))))
        .where(Share.user_id == user.id, Share.posted_at.is_not(None))).one()
    connected = session.scalar(sa.select(sa.func.count()).select_from(SocialAccount).where(
        SocialAccount.user_id == user.id)) or 0
    beginner = [
        Step("profile", _l("Complete your profile on one network (the checklist below)."),
             bool(profile_done(sheet.checks or {}))),
        Step("network", _l("Connect an account or share your first item."),
             connected > 0 or total > 0),
        Step("shares", _l("Share %(num)d items.", num=SHARES_FOR_ADVANCED),
             total >= SHARES_FOR_ADVANCED),
    ]
    advanced = [
        Step("own_words", _l("Share %(num)d items in your own words within 90 days: edit "
                             "the suggested text.", num=OWN_WORDS_FOR_EXPERT),
             own_words >= OWN_WORDS_FOR_EXPERT),
        Step("networks", _l("Post on a second network."), networks >= NETWORKS_FOR_EXPERT),
        Step("worksheet", _l("Complete your worksheet."), sheet.completed_at is not None),
    ]
    if not all(s.done for s in beginner):
        return Maturity("beginner", beginner)
    if not all(s.done for s in advanced):
        return Maturity("advanced", advanced)
    return Maturity("expert", [])
