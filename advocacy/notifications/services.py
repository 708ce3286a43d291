"""Creating, counting and reading notifications. Callable without a request."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import sqlalchemy as sa
from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from advocacy.db import Page, paginate
from advocacy.notifications.models import Notification

# kind -> message; parameters are filled in when shown (badge names are looked up then).
MESSAGES: dict[str, Any] = {
    "badge": _l("You earned the badge “%(badge)s”."),
    "suggestion_accepted": _l("Your suggestion “%(title)s” was accepted."),
    "suggestion_declined": _l("Your suggestion “%(title)s” was not taken: %(reason)s"),
    "suggestion_published": _l("Your suggestion “%(title)s” is published. Thank you!"),
    "reward_fulfilled": _l("Your reward “%(reward)s” is on its way."),
    "reward_cancelled": _l("Your reward request “%(reward)s” was cancelled: %(reason)s "
                           "Your points are back."),
    "challenge_won": _l("Place %(rank)d in the challenge “%(title)s”: bonus points for you!"),
    "post_in_doubt": _l("Your %(network)s post of “%(title)s” was not confirmed. Please look "
                        "at your profile and tell us whether it is there."),
    "post_failed": _l("Your %(network)s post of “%(title)s” did not go out. “Your shares” "
                      "says why and what you can do."),
    "followers_stale": _l("The LinkedIn follower count you entered is from %(day)s. Is it "
                          "still right? Update it in your profile."),
    "post_held": _l("Posting to %(network)s by API is paused for now: share “%(title)s” by "
                    "its share page instead (“Your shares”)."),
}


def notify(session: Session, user_id: int, kind: str, link: str, now: dt.datetime,
           **params: Any) -> None:
    if kind not in MESSAGES or not link.startswith("/"):
        raise ValueError(f"unknown notification {kind!r} or a link that is not local")
    session.add(Notification(user_id=user_id, kind=kind, params=json.dumps(params),
                             link=link, created_at=now))


def unread(session: Session, user_id: int) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None))) or 0


def page_of(session: Session, user_id: int, page: int = 1) -> Page[Notification]:
    return paginate(session, sa.select(Notification).where(Notification.user_id == user_id),
                    page, 30, Notification.created_at.desc(), Notification.id.desc())


def mark_read(session: Session, user_id: int, now: dt.datetime) -> int:
    result = session.execute(sa.update(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)).values(read_at=now))
    return result.rowcount or 0  # type: ignore[attr-defined]


def text_of(notification: Notification, names: dict[str, dict[str, str]]) -> str:
    """The message in the current language; `names` translates keys such as badges."""
    params = json.loads(notification.params or "{}")
    if params.get("day"):  # a date, in the reader's way of writing it
        params["day"] = format_date(dt.date.fromisoformat(params["day"]), "medium")
    if "badge" in params:
        params["badge"] = names.get("badge", {}).get(params["badge"], params["badge"])
    return str(MESSAGES[notification.kind]) % params
