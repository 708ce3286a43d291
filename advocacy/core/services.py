"""Health of the installation, the scheduler lease and the audit log."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterable, Mapping

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from advocacy.core.models import AuditEvent, SchedulerLease
from advocacy.db import utcnow

log = logging.getLogger(__name__)

LEASE_NAME = "scheduler"


def database_status(session: Session) -> tuple[bool, str]:
    """Run a trivial query; (healthy, detail). Leaves the session's transaction closed."""
    try:
        session.execute(sa.text("SELECT 1"))
    except SQLAlchemyError as exc:
        return False, type(exc).__name__
    finally:
        session.rollback()
    return True, "ok"


def acquire_lease(engine: Engine, holder: str, ttl: dt.timedelta,
                  now: dt.datetime | None = None) -> bool:
    """Take or renew the scheduler lease for `holder`; True while `holder` owns it.

    The lease belongs to whoever renewed it last, until it expires. Renewal and takeover
    are one conditional UPDATE, so two schedulers can never both see success; the first
    scheduler ever inserts the row, and a concurrent insert fails on the primary key.
    Runs in its own short transaction, apart from any job's session.
    """
    now = now or utcnow()
    table = SchedulerLease.__table__
    with engine.begin() as connection:
        result = connection.execute(
            sa.update(table)
            .where(table.c.name == LEASE_NAME,
                   sa.or_(table.c.holder == holder, table.c.expires_at < now))
            .values(holder=holder, expires_at=now + ttl,
                    acquired_at=sa.case((table.c.holder == holder, table.c.acquired_at),
                                        else_=now))
        )
        if result.rowcount:
            return True
    try:
        with engine.begin() as connection:
            connection.execute(sa.insert(table).values(
                name=LEASE_NAME, holder=holder, acquired_at=now, expires_at=now + ttl))
    except IntegrityError:
        return False
    return True


def release_lease(engine: Engine, holder: str) -> None:
    """Give the lease up at shutdown so a waiting scheduler takes over at once."""
    table = SchedulerLease.__table__
    with engine.begin() as connection:
        connection.execute(sa.delete(table).where(table.c.name == LEASE_NAME,
                                                  table.c.holder == holder))


# An audit entry's facts: plain values (ids, names, numbers, lists of them), stored as
# JSON and worded in the reader's language when the log is shown (advocacy.admin.
# audit_words). A string is stored as it is: older entries, and free text such as a reason.
Detail = str | Mapping[str, object]


def audit(session: Session, actor_id: int | None, action: str, detail: Detail = "",
          now: dt.datetime | None = None) -> None:
    """Record who did something others must be able to trace."""
    stored = detail[:2000] if isinstance(detail, str) else json.dumps(
        {key: _plain(value, 300) for key, value in detail.items()}, ensure_ascii=False,
        sort_keys=True)
    session.add(AuditEvent(actor_id=actor_id, action=action, detail=stored,
                           created_at=now or utcnow()))
    session.flush()


def audit_changes(session: Session, actor_id: int | None, action: str, subject: str,
                  before: Mapping[str, object], after: Mapping[str, object]) -> None:
    """Record what changed between `before` and `after` (each key's old and new value);
    nothing when nothing did."""
    changes = [[key, _plain(before.get(key), 80), _plain(value, 80)]
               for key, value in after.items() if before.get(key) != value]
    if changes:
        audit(session, actor_id, action,
              {"subject": subject, "changes": changes} if subject else {"changes": changes})


def describe_changes(before: Mapping[str, object], after: Mapping[str, object]) -> str:
    """"key: old → new; ..." for the values that differ, for an audit entry's detail."""
    return "; ".join(f"{key}: {_shown(before.get(key))} → {_shown(value)}"
                     for key, value in after.items() if before.get(key) != value)


def _plain(value: object, limit: int) -> object:
    """A value as JSON keeps it: numbers, yes/no and None as they are, lists in their
    order, other collections (sets) sorted, anything else as (shortened) text."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, list | tuple):
        return [_plain(v, limit) for v in value]
    if isinstance(value, Iterable) and not isinstance(value, str):
        return sorted(str(v) for v in value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    text = str(value).replace("\n", " ")
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _shown(value: object) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Iterable) and not isinstance(value, str):
        return ", ".join(sorted(str(v) for v in value)) or "–"
    text = str(value).replace("\n", " ")
    return text if len(text) <= 80 else text[:79] + "…"
