"""The demo company: people, content in every tier's feed, guidelines, and 90 days of shares
and clicks, so that every page comes alive.

Loading is idempotent: people are found by e-mail, groups and items by name, and activity
is only generated when there are no shares yet. The named logins get a new password on
every run (the one given, or a random one that is printed), because stored passwords
cannot be shown again.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from advocacy.admin.services import get_settings
from advocacy.db import utcnow
from advocacy.demo.activity import load_activity
from advocacy.demo.audit import load_audit
from advocacy.demo.brand import load_brand
from advocacy.demo.community import (
    load_challenges,
    load_feeds,
    load_rewards,
    load_suggestions,
    load_training,
)
from advocacy.demo.content import load_content, load_guidelines
from advocacy.demo.people import load_people
from advocacy.demo.posting import load_posting
from advocacy.demo.privacy import load_deletions
from advocacy.demo.sso import load_sso_rules
from advocacy.engagement.badges import award_badges
from advocacy.people.models import User
from advocacy.reports.cells import refresh as refresh_cells
from advocacy.reports.rollup import rebuild_all


def database_is_empty(session: Session) -> bool:
    return session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def load_demo(session: Session, password: str | None,
              config: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """Load or complete the demo company; return (email, role, password) of the logins."""
    now = utcnow()
    logins = load_people(session, password or (lambda: secrets.token_urlsafe(9)))
    users = {u.email: u for u in session.scalars(sa.select(User).where(
        User.email.in_(["admin@example.com", "comms@example.com", "hr@example.com"])))}
    load_guidelines(session, users["admin@example.com"], now)
    load_content(session, users["comms@example.com"], users["hr@example.com"],
                 Path(config["UPLOAD_DIR"]), now)
    settings = get_settings(session)
    load_activity(session, settings, config["BASE_URL"], config["TIMEZONE"], now)
    load_posting(session, settings, config, now)
    load_brand(session, settings, config, now)
    load_deletions(session, settings, config, now)
    load_suggestions(session, settings, config, now)
    load_feeds(session, now)
    rebuild_all(session, config["TIMEZONE"], now)  # the reports read these rollups
    load_challenges(session, settings, config, now)  # their standings read them too
    load_training(session, now)
    load_sso_rules(session)
    load_audit(session, now)
    award_badges(session, now)  # as the badge job would on its first run
    load_rewards(session, now)  # spends some of the points given above
    refresh_cells(session, now.astimezone(ZoneInfo(config["TIMEZONE"])).date())
    return logins
