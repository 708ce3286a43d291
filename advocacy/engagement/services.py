"""Points and leaderboards.

Every award is one ledger entry (unique per reason and reference) plus an increment of the
person's running totals for the day, week, month, quarter and all time. Leaderboards read
only those totals, so their cost does not grow with the number of shares or clicks.
Periods follow the company's calendar (the configured time zone): ISO weeks from Monday,
calendar months and quarters.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from advocacy.admin.services import ProgrammeSettings
from advocacy.db import Page, paginate
from advocacy.engagement.models import PointEntry, PointTotal
from advocacy.people.models import User, user_group
from advocacy.suppression import group_too_small

log = logging.getLogger(__name__)

ALL_TIME = dt.date(1970, 1, 1)
BOARD_PERIODS = ("week", "month", "quarter", "all")


def local_date(moment: dt.datetime, timezone: str) -> dt.date:
    return moment.astimezone(ZoneInfo(timezone)).date()


def period_start(period: str, day: dt.date) -> dt.date:
    """The first day of the period containing `day`."""
    if period == "day":
        return day
    if period == "week":
        return day - dt.timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    if period == "quarter":
        return day.replace(month=3 * ((day.month - 1) // 3) + 1, day=1)
    if period == "all":
        return ALL_TIME
    raise ValueError(f"unknown period {period!r}")


def rule_points(settings: ProgrammeSettings, reason: str) -> int:
    return {"share": settings.points_share, "first_share": settings.points_first_share,
            "unique_click": settings.points_unique_click,
            "guidelines_ack": settings.points_guidelines_ack,
            "worksheet": settings.points_worksheet,
            "suggestion": settings.points_suggestion}[reason]


def award(session: Session, user_id: int, reason: str, ref_type: str, ref_id: int,
          settings: ProgrammeSettings, at: dt.datetime, timezone: str, *,
          bonus: int | None = None) -> int:
    """Give `user_id` the points of `reason` for the referenced thing; return how many.

    At most the daily cap per person and day; nothing twice for the same reason and
    reference (the database refuses the second entry, which is then ignored). A `bonus`
    (a challenge's) replaces the reason's rule and is not capped: it rewards a whole
    period, not one day's activity.
    """
    base = rule_points(settings, reason) if bonus is None else bonus
    if base <= 0:
        return 0
    day = local_date(at, timezone)
    points = base
    if bonus is None:
        today = session.scalar(sa.select(PointTotal.points).where(
            PointTotal.user_id == user_id, PointTotal.period == "day",
            PointTotal.period_start == day)) or 0
        points = min(base, max(0, settings.points_daily_cap - today))
        if points <= 0:
            return 0
    try:
        with session.begin_nested():
            session.add(PointEntry(user_id=user_id, points=points, reason=reason,
                                   ref_type=ref_type, ref_id=ref_id, capped=points < base,
                                   created_at=at))
    except IntegrityError:
        return 0  # already awarded for this reference
    _add_to_totals(session, user_id, points, day, at)
    return points


def _add_to_totals(session: Session, user_id: int, points: int, day: dt.date,
                   at: dt.datetime) -> None:
    table = PointTotal.__table__
    dialect = session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    rows = [{"user_id": user_id, "period": period, "period_start": period_start(period, day),
             "points": points, "reached_at": at} for period in ("day", *BOARD_PERIODS)]
    statement = insert.values(rows).on_conflict_do_update(
        index_elements=["user_id", "period", "period_start"],
        set_={"points": table.c.points + insert.excluded.points,
              "reached_at": sa.func.max(table.c.reached_at, insert.excluded.reached_at)
              if dialect == "sqlite" else sa.func.greatest(table.c.reached_at,
                                                           insert.excluded.reached_at)})
    session.execute(statement)


def points_of(session: Session, user_id: int, period: str, day: dt.date) -> int:
    return session.scalar(sa.select(PointTotal.points).where(
        PointTotal.user_id == user_id, PointTotal.period == period,
        PointTotal.period_start == period_start(period, day))) or 0


def ledger(session: Session, user_id: int, page: int = 1,
           per_page: int = 30) -> Page[PointEntry]:
    """A person's point entries, newest first."""
    return paginate(session, sa.select(PointEntry).where(PointEntry.user_id == user_id), page,
                    per_page, PointEntry.created_at.desc(), PointEntry.id.desc())


@dataclass(frozen=True)
class BoardRow:
    rank: int
    user_id: int
    name: str | None  # None: a colleague who did not opt in
    points: int
    is_viewer: bool


@dataclass(frozen=True)
class Board:
    rows: list[BoardRow]
    viewer: BoardRow | None  # the viewer's own row when it is not among `rows`
    withheld: bool = False  # a tier or group too small to be shown to outsiders


def _population(tier_id: int | None, group_id: int | None) -> sa.Select[tuple[int]]:
    query = sa.select(User.id).where(User.is_active)
    if tier_id:
        query = query.where(User.tier_id == tier_id)
    if group_id:
        query = query.where(User.id.in_(
            sa.select(user_group.c.user_id).where(user_group.c.group_id == group_id)))
    return query


def withheld(session: Session, tier_id: int | None, group_id: int | None, viewer_id: int,
             k: int | None) -> bool:
    """Whether the board of a tier or group is withheld from this viewer: in works-council
    mode, one of fewer than k people is shown only to those people themselves."""
    if k is None or not (tier_id or group_id):
        return False
    people = _population(tier_id, group_id).subquery()
    members, viewer_in = session.execute(sa.select(
        sa.func.count(), sa.func.count().filter(people.c.id == viewer_id))
        .select_from(people)).one()
    return not viewer_in and group_too_small(members, k)


def leaderboard(session: Session, period: str, day: dt.date, others: str, viewer_id: int,
                tier_id: int | None = None, group_id: int | None = None,
                limit: int = 20, k: int | None = None) -> Board:
    """The ranking of a period, company-wide or for one tier or group.

    Order: points (high first); on equal points, whoever reached the total first; then the
    lower person id, so the order is total. Only active people with points count. People
    who did not opt in appear without their name, or not at all when `others` is "hidden"
    (the viewer always sees their own place). Two queries, whatever the number of people.
    With `k` (works-council mode) a tier or group of fewer than k people is withheld from
    anyone outside it (one more query).
    """
    if withheld(session, tier_id, group_id, viewer_id, k):
        return Board([], None, withheld=True)
    start = period_start(period, day)
    ranked = (
        sa.select(PointTotal.user_id, PointTotal.points, PointTotal.reached_at,
                  User.name, User.leaderboard_opt_in)
        .join(User, User.id == PointTotal.user_id)
        .where(PointTotal.period == period, PointTotal.period_start == start,
               PointTotal.points > 0, User.is_active)
    )
    if tier_id or group_id:
        ranked = ranked.where(User.id.in_(_population(tier_id, group_id)))
    if others == "hidden":
        ranked = ranked.where(sa.or_(User.leaderboard_opt_in, User.id == viewer_id))
    order = (PointTotal.points.desc(), PointTotal.reached_at.asc(), PointTotal.user_id.asc())
    rows = []
    for rank, row in enumerate(session.execute(ranked.order_by(*order).limit(limit)), start=1):
        rows.append(_board_row(rank, row, viewer_id))
    viewer = None
    if not any(r.is_viewer for r in rows):
        viewer = _viewer_row(session, ranked, viewer_id)
    return Board(rows, viewer)


def _board_row(rank: int, row: sa.Row, viewer_id: int) -> BoardRow:  # type: ignore[type-arg]
    visible = row.leaderboard_opt_in or row.user_id == viewer_id
    return BoardRow(rank, row.user_id, row.name if visible else None, row.points,
                    row.user_id == viewer_id)


def _viewer_row(session: Session, ranked: sa.Select, viewer_id: int) -> BoardRow | None:  # type: ignore[type-arg]
    """The viewer's place: one plus the number of people ordered before them."""
    mine = ranked.where(PointTotal.user_id == viewer_id).subquery()
    others = ranked.subquery()
    row = session.execute(
        sa.select(mine, sa.select(sa.func.count()).select_from(others).where(sa.or_(
            others.c.points > mine.c.points,
            sa.and_(others.c.points == mine.c.points, others.c.reached_at < mine.c.reached_at),
            sa.and_(others.c.points == mine.c.points, others.c.reached_at == mine.c.reached_at,
                    others.c.user_id < mine.c.user_id),
        )).scalar_subquery().label("ahead"))).first()
    if row is None:
        return None
    return BoardRow(row.ahead + 1, viewer_id, row.name, row.points, True)


def reason_labels() -> dict[str, str]:
    return {"share": _("Shared an item"), "first_share": _("Your first share"),
            "unique_click": _("Someone opened your link"),
            "guidelines_ack": _("Read the social-media guidelines"),
            "worksheet": _("Completed your personal-brand worksheet"),
            "suggestion": _("Your suggestion was published"),
            "challenge": _("Bonus from a challenge")}
