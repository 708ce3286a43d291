"""A few weeks of admin work in the audit log, so Settings → Audit log has a story to tell
(publishing guidelines, handing over rewards and deletions add their own entries)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from advocacy.core.models import AuditEvent
from advocacy.core.services import Detail, audit
from advocacy.people.models import User


def _last_quarter(now: dt.datetime) -> str:
    """A report view as the reach report records it (advocacy.reports.views._describe)."""
    first = dt.date(now.year, (now.month - 1) // 3 * 3 + 1, 1)
    last = first - dt.timedelta(days=1)
    first = dt.date(last.year, (last.month - 1) // 3 * 3 + 1, 1)
    return f"quarter {first.isoformat()}..{last.isoformat()} by group"


# (days ago, actor, action, detail: text, facts, or text made from the current time)
ENTRIES: tuple[tuple[int, str, str, Detail | Callable[[dt.datetime], str]], ...] = (
    (85, "admin@example.com", "people.imported", "mitarbeitende.csv: 24 added, 0 updated"),
    (84, "admin@example.com", "settings.updated",
     {"changes": [["programme_name", None, "Stimmen von Beispiel"], ["four_eyes", "0", "1"]]}),
    (80, "admin@example.com", "group.created", "custom: Speaker-Pool"),
    (62, "admin@example.com", "person.updated",
     "sme@example.com: tier: 3 → 2; groups: Vertrieb → Speaker-Pool, Vertrieb"),
    (41, "admin@example.com", "person.updated",
     "comms@example.com: roles: employee → comms, employee"),
    (30, "admin@example.com", "sso.rule_created", "groups contains 'Speakers' → tier 2"),
    (12, "hr@example.com", "report.viewed", _last_quarter),
    (3, "admin@example.com", "settings.updated", {"changes": [["stagger_minutes", "0", "5"]]}),
)


def load_audit(session: Session, now: dt.datetime) -> None:
    if session.scalar(sa.select(AuditEvent.id).where(
            AuditEvent.action == "people.imported").limit(1)) is not None:
        return
    ids = dict(session.execute(sa.select(User.email, User.id).where(
        User.email.in_({entry[1] for entry in ENTRIES}))).all())
    for days, email, action, detail in ENTRIES:
        audit(session, ids.get(email), action, detail(now) if callable(detail) else detail,
              now - dt.timedelta(days=days))
