"""Challenges for everyone taking part, and communications' pages to write them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import Response, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import Session

from advocacy.actions import carry_out
from advocacy.challenges import bp, services
from advocacy.challenges.forms import ChallengeForm
from advocacy.challenges.models import Challenge, ChallengeResult
from advocacy.content.services import list_campaigns
from advocacy.db import get_session, utcnow
from advocacy.engagement.services import local_date
from advocacy.errors import DomainError
from advocacy.forms import ActionForm
from advocacy.layout import current_settings
from advocacy.people.services import list_groups
from advocacy.security import role_required
from advocacy.suppression import group_too_small

TOP = 10


@dataclass(frozen=True)
class Board:
    """What a challenge card shows: the leading places and the viewer's own, or the
    fixed results once it is settled."""

    challenge: Challenge
    standings: list[services.Standing]
    mine: services.Standing | None
    best: float
    results: list[ChallengeResult]
    names: dict[int, str]
    k: int | None = None  # works-council mode: teams of fewer than k show no figure
    hidden: frozenset[int] = frozenset()  # results (ids) of such teams the viewer is not in


def _board(db: Session, challenge: Challenge, top: int, today: dt.date) -> Board:
    k = current_settings().suppression_k
    if challenge.settled_at is not None:
        rows = services.results(db, challenge.id)
        mine = next((r for r in rows if r.user_id == current_user.id), None)
        shown = rows[:top] + ([mine] if mine is not None and mine not in rows[:top] else [])
        own = {group.id for group in current_user.groups}
        hidden = frozenset(r.id for r in shown if r.group_id is not None
                           and r.group_id not in own and group_too_small(r.members, k))
        return Board(challenge, [], None, max((r.score for r in rows), default=0), shown,
                     services.result_names(db, shown, current_user.id), k, hidden)
    if challenge.kind == "team":
        standings = services.team_standings(db, challenge, today, current_user.id, k)
    else:
        standings = services.individual_standings(db, challenge, today, current_user.id,
                                                  current_settings().leaderboard_others)
    mine = next((s for s in standings if s.is_viewer), None)
    shown = standings if challenge.kind == "team" else standings[:top]
    return Board(challenge, shown, mine if mine not in shown else None,
                 max((s.score for s in standings), default=0), [], {}, k)


def _today() -> dt.date:
    return local_date(utcnow(), current_app.config["TIMEZONE"])


@bp.get("/")
@role_required("employee", "comms")
def challenge_list() -> str:
    db, today = get_session(), _today()
    found = services.overview(db, today)
    return render_template(
        "challenges/list.html", running=[_board(db, c, 5, today) for c in found.running],
        upcoming=found.upcoming, finished=[_board(db, c, 3, today) for c in found.finished],
        groups={g.id: g.name for c in found.running for g in c.groups})


def _challenge_or_404(challenge_id: int) -> Challenge:
    challenge = get_session().get(Challenge, challenge_id)
    if challenge is None:
        abort(404)
    return challenge


@bp.get("/<int:challenge_id>")
@role_required("employee", "comms")
def challenge_page(challenge_id: int) -> str:
    challenge = _challenge_or_404(challenge_id)
    board = _board(get_session(), challenge, 50, _today())
    return render_template("challenges/page.html", board=board, delete_form=ActionForm(),
                           groups={g.id: g.name for g in challenge.groups})


def _with_choices(form: ChallengeForm) -> ChallengeForm:
    db = get_session()
    form.campaign_id.choices = [(0, _("Any item"))] + [(c.id, c.name)
                                                       for c in list_campaigns(db)]
    form.group_ids.choices = [(g.id, g.name) for g in list_groups(db)]
    return form


def _form_page(form: ChallengeForm, challenge: Challenge | None) -> str:
    return render_template("challenges/edit.html", form=form, challenge=challenge)


@bp.get("/new")
@role_required("comms")
def challenge_new() -> str:
    return _form_page(_with_choices(ChallengeForm()), None)


@bp.get("/<int:challenge_id>/edit")
@role_required("comms")
def challenge_edit(challenge_id: int) -> str:
    challenge = _challenge_or_404(challenge_id)
    form = _with_choices(ChallengeForm(obj=challenge))
    form.campaign_id.data = challenge.campaign_id or 0
    form.group_ids.data = [g.id for g in challenge.groups]
    return _form_page(form, challenge)


def _save(challenge: Challenge | None) -> Response | tuple[str, int]:
    form = _with_choices(ChallengeForm())
    db = get_session()
    if not form.validate():
        return _form_page(form, challenge), 400
    try:
        saved = services.save_challenge(db, current_user.id, challenge, form.to_data())
    except DomainError as exc:
        db.rollback()
        form.title.errors = [exc.message]
        return _form_page(form, challenge), 400
    db.commit()
    flash(_("Challenge saved."), "success")
    return redirect(url_for("challenges.challenge_page", challenge_id=saved.id))


@bp.post("/new")
@role_required("comms")
def challenge_create() -> Response | tuple[str, int]:
    return _save(None)


@bp.post("/<int:challenge_id>/edit")
@role_required("comms")
def challenge_save(challenge_id: int) -> Response | tuple[str, int]:
    return _save(_challenge_or_404(challenge_id))


@bp.post("/<int:challenge_id>/delete")
@role_required("comms")
def challenge_delete(challenge_id: int) -> Response:
    if not ActionForm().validate():
        abort(400)
    challenge = _challenge_or_404(challenge_id)
    if not carry_out(lambda: services.delete_challenge(get_session(), challenge),
                     _("Challenge deleted.")):
        return redirect(url_for("challenges.challenge_page", challenge_id=challenge_id))
    return redirect(url_for("challenges.challenge_list"))
