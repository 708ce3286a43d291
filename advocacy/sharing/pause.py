"""The crisis pause: one switch that stops every post by API until it is turned off."""

from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from advocacy.admin.services import get_settings, save_settings
from advocacy.core.services import audit
from advocacy.db import utcnow
from advocacy.errors import DomainError
from advocacy.people.models import User


def pause(session: Session, actor: User, reason: str, now: dt.datetime | None = None) -> None:
    """Stop sending queued and scheduled posts. They stay in the queue, unchanged."""
    reason = " ".join(reason.split())
    if not reason:
        raise DomainError(_("Say why posting is paused; everyone who can resume it sees it."))
    now = now or utcnow()
    save_settings(session, {"posting_paused": True, "pause_reason": reason,
                            "paused_by": actor.name, "paused_at": now.isoformat()})
    audit(session, actor.id, "posting.paused", {"reason": reason}, now)


def resume(session: Session, actor: User, confirmed: bool, now: dt.datetime | None = None) -> None:
    """Send again; posts whose time passed during the pause go out now."""
    if not confirmed:
        raise DomainError(_("Confirm that posting may resume."))
    settings = get_settings(session)
    if not settings.posting_paused:
        raise DomainError(_("Posting is not paused."))
    save_settings(session, {"posting_paused": False, "pause_reason": "", "paused_by": "",
                            "paused_at": ""})
    audit(session, actor.id, "posting.resumed", {
        "since": settings.paused_at, "reason": settings.pause_reason}, now)
