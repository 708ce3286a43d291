"""Points: why I have them, the leaderboards, and the rules admins set."""

from __future__ import annotations

from dataclasses import asdict

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from advocacy.admin.services import save_settings
from advocacy.db import get_session, utcnow
from advocacy.engagement import badges, bp, services
from advocacy.engagement.forms import BoardFilterForm, PointRulesForm
from advocacy.layout import current_settings
from advocacy.people.services import list_groups, list_tiers
from advocacy.security import role_required


def _today() -> object:
    return services.local_date(utcnow(), current_app.config["TIMEZONE"])


def period_labels() -> dict[str, str]:
    return {"week": _("This week"), "month": _("This month"), "quarter": _("This quarter"),
            "all": _("All time")}


@bp.get("/points")
@role_required("employee")
def points() -> str:
    db = get_session()
    today = _today()
    totals = {period: services.points_of(db, current_user.id, period, today)
              for period in services.BOARD_PERIODS}
    ledger = services.ledger(db, current_user.id, request.args.get("page", 1, type=int))
    return render_template("engagement/points.html", totals=totals, page=ledger,
                           period_labels=period_labels(), reasons=services.reason_labels(),
                           settings=current_settings(), level=badges.level_for(totals["all"]),
                           badges=badges.BADGES, earned=badges.earned(db, current_user.id))


@bp.get("/leaderboard")
@role_required("employee")
def leaderboard() -> str:
    db = get_session()
    form = BoardFilterForm(request.args)
    form.period.choices = list(period_labels().items())
    form.tier.choices = [(0, _("All tiers"))] + [(t.id, t.name) for t in list_tiers(db)]
    form.group.choices = [(0, _("Everyone"))] + [(g.id, g.name) for g in list_groups(db)]
    form.validate()
    period = form.period.data if form.period.data in services.BOARD_PERIODS else "month"
    form.period.data = period  # the select shows what the board shows
    board = services.leaderboard(db, period, _today(), current_settings().leaderboard_others,
                                 current_user.id, tier_id=form.tier.data or None,
                                 group_id=form.group.data or None,
                                 k=current_settings().suppression_k)
    return render_template("engagement/leaderboard.html", form=form, board=board,
                           period=period, period_labels=period_labels(),
                           k=current_settings().suppression_k)


@bp.route("/admin/points", methods=["GET", "POST"])
@role_required("admin")
def rules() -> str | Response | tuple[str, int]:
    form = PointRulesForm(data=asdict(current_settings()))
    if form.is_submitted():
        if not form.validate():
            return render_template("engagement/rules.html", form=form), 400
        db = get_session()
        save_settings(db, {f.name: f.data for f in form if f.name.startswith("points_")},
                      current_user.id)
        db.commit()
        flash(_("Point rules saved. They apply from now on; points already given stay."),
              "success")
        return redirect(url_for("engagement.rules"))
    return render_template("engagement/rules.html", form=form)
