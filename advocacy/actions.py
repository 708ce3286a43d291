"""The ending most one-button views share: call a service in the request's session, then
commit and say so, or roll back and show the service's reason."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash

from advocacy.db import get_session
from advocacy.errors import DomainError


def carry_out(action: Callable[[], object], done: str) -> bool:
    """Run `action`; on success commit and flash `done`, on a DomainError roll back and
    flash its message. True when it went through (for views that redirect differently)."""
    db = get_session()
    try:
        action()
    except DomainError as exc:
        db.rollback()
        flash(exc.message, "error")
        return False
    db.commit()
    flash(done, "success")
    return True
