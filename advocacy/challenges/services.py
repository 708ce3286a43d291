"""Challenges: writing them, standings while they run, results and bonus points at the end.

Scores come from the daily activity rollups (shares and counted clicks per person, day,
network and campaign), so a standing costs the same however many clicks there were; they
are as fresh as the `update-rollups` job (ten minutes). Who takes part: active people with
the employee role; a team is a group's active employees, and teams are compared by the
average per member so a big department does not win by size. Equal scores share a place.
The `settle-challenges` job fixes the results the night after the last day and gives the
bonus once (the points ledger refuses a second entry).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session, selectinload

from advocacy.admin.services import ProgrammeSettings
from advocacy.challenges.models import KINDS, METRICS, Challenge, ChallengeResult
from advocacy.engagement.services import award
from advocacy.errors import DomainError
from advocacy.notifications.services import notify
from advocacy.people.models import Group, User, UserRole, user_group
from advocacy.reports.models import ActivityRollup
from advocacy.suppression import group_too_small

log = logging.getLogger(__name__)

SETTLE_HOUR = 1  # local time the night after the last day: the last clicks are rolled up


@dataclass
class ChallengeData:
    title: str
    starts_on: dt.date
    ends_on: dt.date
    description: str = ""
    kind: str = "individual"
    metric: str = "shares"
    campaign_id: int | None = None
    minimum: int = 1
    bonus_points: int = 50
    winners: int = 3
    group_ids: set[int] = field(default_factory=set)


def save_challenge(session: Session, actor_id: int | None, challenge: Challenge | None,
                   data: ChallengeData) -> Challenge:
    if challenge is not None and challenge.settled_at is not None:
        raise DomainError(_("This challenge has ended; its results are fixed."))
    if data.kind not in KINDS or data.metric not in METRICS:
        raise DomainError(_("Please choose the kind of challenge and what counts."))
    if data.ends_on < data.starts_on:
        raise DomainError(_("The last day cannot be before the first."))
    groups = list(session.scalars(sa.select(Group).where(Group.id.in_(data.group_ids))))
    if data.kind == "team" and len(groups) < 2:
        raise DomainError(_("A team challenge needs at least two groups."))
    if challenge is None:
        challenge = Challenge(created_by_id=actor_id)
        session.add(challenge)
    challenge.title, challenge.description = data.title.strip(), data.description.strip()
    challenge.kind, challenge.metric, challenge.campaign_id = (data.kind, data.metric,
                                                               data.campaign_id)
    challenge.starts_on, challenge.ends_on = data.starts_on, data.ends_on
    challenge.minimum, challenge.bonus_points = data.minimum, data.bonus_points
    challenge.winners = data.winners
    challenge.groups = groups if data.kind == "team" else []
    session.flush()
    return challenge


def delete_challenge(session: Session, challenge: Challenge) -> None:
    if challenge.settled_at is not None:
        raise DomainError(_("This challenge has ended; its results stay."))
    session.delete(challenge)
    session.flush()


def _participants() -> sa.Select:  # type: ignore[type-arg]
    return sa.select(User.id).where(User.is_active, User.id.in_(
        sa.select(UserRole.user_id).where(UserRole.role == "employee")))


def scores(session: Session, challenge: Challenge, today: dt.date) -> dict[int, int]:
    """Each participant's count so far (people with nothing are absent). One query."""
    column = ActivityRollup.shares if challenge.metric == "shares" else ActivityRollup.clicks
    query = (sa.select(ActivityRollup.person_id, sa.func.sum(column))
             .where(ActivityRollup.grain == "day",
                    ActivityRollup.start >= challenge.starts_on,
                    ActivityRollup.start <= min(challenge.ends_on, today),
                    ActivityRollup.person_id.in_(_participants()))
             .group_by(ActivityRollup.person_id))
    if challenge.campaign_id is not None:
        query = query.where(ActivityRollup.campaign_id == challenge.campaign_id)
    return {person: int(total) for person, total in session.execute(query) if total}


@dataclass(frozen=True)
class Standing:
    rank: int
    score: float
    places: bool  # reached the minimum
    user_id: int | None = None
    name: str | None = None  # None: the person did not opt in to being named
    is_viewer: bool = False
    group_id: int | None = None
    members: int = 0
    hidden: bool = False  # a team too small to show its figure to outsiders


def _ranked(scored: list[tuple[float, int]]) -> list[tuple[int, float, int]]:
    """(rank, score, key) best first; equal scores share a rank (1, 1, 3)."""
    ordered = sorted(scored, key=lambda s: (-s[0], s[1]))
    ranked, rank = [], 0
    for position, (score, key) in enumerate(ordered, start=1):
        if position == 1 or score != ordered[position - 2][0]:
            rank = position
        ranked.append((rank, score, key))
    return ranked


def individual_standings(session: Session, challenge: Challenge, today: dt.date,
                         viewer_id: int | None, others: str) -> list[Standing]:
    """Everyone with a score, best first. Names follow the leaderboard's rule: only people
    who opted in are named (and, with `others` "hidden", only they are listed); the viewer
    always sees their own line."""
    counted = scores(session, challenge, today)
    if not counted:
        return []
    people = {row.id: row for row in session.execute(
        sa.select(User.id, User.name, User.leaderboard_opt_in)
        .where(User.id.in_(list(counted))))}
    standings = []
    for rank, score, user_id in _ranked([(float(s), u) for u, s in counted.items()]):
        person = people[user_id]
        mine = user_id == viewer_id
        if others == "hidden" and not (person.leaderboard_opt_in or mine):
            continue
        standings.append(Standing(rank, score, score >= challenge.minimum, user_id,
                                  person.name if person.leaderboard_opt_in or mine else None,
                                  mine))
    return standings


def team_standings(session: Session, challenge: Challenge, today: dt.date,
                   viewer_id: int | None = None, k: int | None = None) -> list[Standing]:
    """Every group of the challenge with its average per active member, best first. With
    `k` (works-council mode) a team of fewer than k people keeps its place, but its figure
    is shown only to its members."""
    counted = scores(session, challenge, today)
    group_ids = [g.id for g in challenge.groups]
    members: dict[int, list[int]] = {g: [] for g in group_ids}
    for group_id, user_id in session.execute(
            sa.select(user_group.c.group_id, user_group.c.user_id)
            .where(user_group.c.group_id.in_(group_ids),
                   user_group.c.user_id.in_(_participants()))):
        members[group_id].append(user_id)
    averages = [(sum(counted.get(u, 0) for u in people) / len(people) if people else 0.0, g)
                for g, people in members.items()]
    return [Standing(rank, round(score, 2), score >= challenge.minimum, group_id=group_id,
                     members=len(members[group_id]),
                     is_viewer=viewer_id in members[group_id],
                     hidden=viewer_id not in members[group_id]
                     and group_too_small(len(members[group_id]), k))
            for rank, score, group_id in _ranked(averages)]


def settle(session: Session, challenge: Challenge, settings: ProgrammeSettings,
           now: dt.datetime, timezone: str) -> int:
    """Fix the results of an ended challenge and give the bonus; return the points given."""
    winners: dict[int, int] = {}  # person -> place
    if challenge.kind == "individual":
        standings = individual_standings(session, challenge, challenge.ends_on, None, "all")
        for s in standings:
            session.add(ChallengeResult(challenge_id=challenge.id, rank=s.rank,
                                        user_id=s.user_id, score=s.score))
            if s.places and s.rank <= challenge.winners and s.user_id is not None:
                winners[s.user_id] = s.rank
    else:
        standings = team_standings(session, challenge, challenge.ends_on)
        names = {g.id: g.name for g in challenge.groups}
        placed = {s.group_id for s in standings if s.places and s.rank <= challenge.winners}
        for s in standings:
            session.add(ChallengeResult(challenge_id=challenge.id, rank=s.rank,
                                        group_id=s.group_id, group_name=names[s.group_id],
                                        score=s.score, members=s.members,
                                        points=challenge.bonus_points
                                        if s.group_id in placed else 0))
        for group_id, user_id in session.execute(
                sa.select(user_group.c.group_id, user_group.c.user_id)
                .where(user_group.c.group_id.in_(placed),
                       user_group.c.user_id.in_(_participants()))):
            rank = next(s.rank for s in standings if s.group_id == group_id)
            winners[user_id] = min(rank, winners.get(user_id, rank))
    given = 0
    for user_id, rank in sorted(winners.items()):
        if challenge.kind == "individual":
            session.execute(sa.update(ChallengeResult).where(
                ChallengeResult.challenge_id == challenge.id,
                ChallengeResult.user_id == user_id).values(points=challenge.bonus_points))
        given += award(session, user_id, "challenge", "challenge", challenge.id, settings,
                       now, timezone, bonus=challenge.bonus_points)
        notify(session, user_id, "challenge_won", f"/challenges/{challenge.id}", now,
               title=challenge.title, rank=rank)
    challenge.settled_at = now
    session.flush()
    log.info("challenge %s settled: %d winners, %d points", challenge.id, len(winners), given)
    return given


def settle_due(session: Session, settings: ProgrammeSettings, now: dt.datetime,
               timezone: str) -> int:
    """The job: settle every challenge whose last day is over (from SETTLE_HOUR local)."""
    local = now.astimezone(ZoneInfo(timezone))
    last_day = local.date() - dt.timedelta(days=1 if local.hour >= SETTLE_HOUR else 2)
    settled = 0
    for challenge in session.scalars(
            sa.select(Challenge).where(Challenge.settled_at.is_(None),
                                       Challenge.ends_on <= last_day)
            .options(selectinload(Challenge.groups)).order_by(Challenge.id)):
        settle(session, challenge, settings, now, timezone)
        settled += 1
    return settled


@dataclass(frozen=True)
class Overview:
    running: list[Challenge]
    upcoming: list[Challenge]
    finished: list[Challenge]


def overview(session: Session, today: dt.date, finished_limit: int = 5) -> Overview:
    query = sa.select(Challenge).options(selectinload(Challenge.groups),
                                         selectinload(Challenge.campaign))
    running = list(session.scalars(query.where(
        Challenge.starts_on <= today, Challenge.ends_on >= today).order_by(Challenge.ends_on)))
    upcoming = list(session.scalars(query.where(Challenge.starts_on > today)
                                    .order_by(Challenge.starts_on)))
    finished = list(session.scalars(query.where(Challenge.ends_on < today)
                                    .order_by(Challenge.ends_on.desc()).limit(finished_limit)))
    return Overview(running, upcoming, finished)


def results(session: Session, challenge_id: int) -> list[ChallengeResult]:
    return list(session.scalars(
        sa.select(ChallengeResult).where(ChallengeResult.challenge_id == challenge_id)
        .order_by(ChallengeResult.rank, ChallengeResult.id)))


def result_names(session: Session, rows: list[ChallengeResult], viewer_id: int
                 ) -> dict[int, str]:
    """Names of people in results who opted in to being named (and the viewer's)."""
    ids = [r.user_id for r in rows if r.user_id is not None]
    return dict(session.execute(sa.select(User.id, User.name).where(
        User.id.in_(ids), sa.or_(User.leaderboard_opt_in, User.id == viewer_id))).all())
