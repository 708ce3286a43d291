"""The worksheet pages: edit with history, share with a coach, the Social-CEO steps, print
and Markdown. Every page reads only the current person's worksheet, except the coach's
read-only view, which `services.readable_by` guards."""

from __future__ import annotations

from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from advocacy.brand import bp, guidance, insights, services
from advocacy.brand.forms import CeoStepForm, CoachForm, CompareForm, HelpersForm, WorksheetForm
from advocacy.brand.sheet import (
    BLOCKS,
    CEO_QUESTIONS,
    GOALS,
    differences,
    filled_blocks,
    markdown,
    rows,
)
from advocacy.db import get_session, utcnow
from advocacy.engagement.services import award
from advocacy.errors import DomainError
from advocacy.forms import ActionForm
from advocacy.layout import current_settings
from advocacy.security import role_required

employee_only = role_required("employee")


def _coach_form() -> CoachForm:
    form = CoachForm()
    form.coach_id.choices = [SelectChoice(c.id, c.name) for c in services.coaches(get_session())
                             if c.id != current_user.id]
    return form


def _page(form: WorksheetForm, status: int = 200) -> tuple[str, int]:
    sheet = services.worksheet_of(get_session(), current_user)
    return render_template(
        "brand/worksheet.html", form=form, sheet=sheet, blocks=BLOCKS,
        filled=filled_blocks(sheet.data or {}), coach_form=_coach_form(),
        action_form=ActionForm()), status


@bp.route("/", methods=["GET", "POST"])
@employee_only
def worksheet() -> Response | tuple[str, int]:
    db = get_session()
    form = WorksheetForm()
    if request.method == "GET":
        form.fill(services.worksheet_of(db, current_user).data or {})
        return _page(form)
    if not form.validate():
        flash(_("Nothing was saved. Please correct the marked answers."), "error")
        return _page(form, 400)
    now = utcnow()
    _sheet, completed = services.save_worksheet(db, current_user, form.to_data(), now)
    if completed:
        award(db, current_user.id, "worksheet", "worksheet", current_user.id,
              current_settings(), now, current_app.config["TIMEZONE"])
    db.commit()
    flash(_("Your worksheet is complete. Thank you!") if completed else _("Saved."), "success")
    return redirect(url_for("brand.worksheet"))


@bp.get("/overview")
@employee_only
def overview() -> str:
    """What the worksheet says, against what the person did: maturity, their numbers in the
    order their goals ask for, the 5-3-2 and intention mixes, the time budget and a plan."""
    db = get_session()
    sheet = services.worksheet_of(db, current_user)
    data, now = sheet.data or {}, utcnow()
    planned = int(data.get("posts_per_week") or 0)
    return render_template(
        "brand/overview.html", sheet=sheet, data=data, levels=guidance.LEVELS,
        maturity=guidance.maturity(db, current_user, sheet, now),
        numbers=insights.personal_numbers(db, current_user, data.get("goals", []), now),
        sources=insights.source_mix(db, current_user, now),
        intentions=insights.intention_mix(db, current_user, now, data.get("intention", {})),
        weeks=insights.weeks(db, current_user, now, current_app.config["TIMEZONE"]),
        planned=planned, plan=insights.weekly_plan(db, current_user, now, planned),
        goal_names=[str(GOALS[g]) for g in data.get("goals", []) if g in GOALS])


@bp.route("/helpers", methods=["GET", "POST"])
@employee_only
def helpers() -> Response | tuple[str, int]:
    db = get_session()
    sheet = services.worksheet_of(db, current_user)
    form = HelpersForm()
    today = utcnow().date()
    if request.method == "POST":
        if not form.validate():
            return _helpers_page(form, sheet, 400)
        if sheet not in db:
            db.add(sheet)
        guidance.save_checks(sheet, {n: getattr(form, n).data or []
                                     for n in guidance.PROFILE_NETWORKS},
                             form.daily.data or [], form.weekly.data or [], today)
        db.commit()
        flash(_("Saved."), "success")
        return redirect(url_for("brand.helpers"))
    checks = sheet.checks or {}
    for network in guidance.PROFILE_NETWORKS:
        getattr(form, network).data = checks.get("profile", {}).get(network, [])
    form.daily.data = guidance.routine_ticks(checks, "daily", today)
    form.weekly.data = guidance.routine_ticks(checks, "weekly", today)
    return _helpers_page(form, sheet)


def _helpers_page(form: HelpersForm, sheet: Any, status: int = 200) -> tuple[str, int]:
    return render_template("brand/helpers.html", form=form, networks=guidance.PROFILE_NETWORKS,
                           templates=guidance.TEMPLATES,
                           done=guidance.profile_done(sheet.checks or {})), status


@bp.get("/versions")
@employee_only
def history() -> str:
    db = get_session()
    return render_template("brand/versions.html",
                           versions=services.versions(db, current_user))


@bp.get("/versions/<int:number>")
@employee_only
def show_version(number: int) -> str:
    found = services.version(get_session(), current_user, number)
    if found is None:
        abort(404)
    return render_template("brand/read.html", rows=rows(found.data), owner=current_user,
                           heading=_("Version %(num)d of %(when)s", num=found.number,
                                     when=format_datetime(found.saved_at, "short")))


@bp.get("/compare")
@employee_only
def compare() -> str:
    db = get_session()
    form = CompareForm(request.args)
    older = services.version(db, current_user, form.a.data or 0) if form.validate() else None
    newer = services.version(db, current_user, form.b.data or 0) if form.validate() else None
    if older is None or newer is None:
        abort(404)
    if older.number > newer.number:
        older, newer = newer, older
    return render_template("brand/compare.html", older=older, newer=newer,
                           changes=differences(older.data, newer.data))


@bp.post("/share")
@employee_only
def share() -> Response | tuple[str, int]:
    db = get_session()
    form = _coach_form()
    if not form.validate():
        flash(_("Choose a coach from communications."), "error")
        return redirect(url_for("brand.worksheet"))
    try:
        sheet = services.share_with(db, current_user, form.coach_id.data)
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("brand.worksheet"))
    db.commit()
    flash(_("%(name)s can now read your worksheet (not change it).",
            name=sheet.coach.name if sheet.coach else ""), "success")
    return redirect(url_for("brand.worksheet"))


@bp.post("/unshare")
@employee_only
def unshare() -> Response:
    if not ActionForm().validate():
        abort(400)
    db = get_session()
    services.withdraw_sharing(db, current_user)
    db.commit()
    flash(_("Your worksheet is private again."), "success")
    return redirect(url_for("brand.worksheet"))


@bp.get("/coaching")
@role_required("comms")
def coaching() -> str:
    return render_template("brand/coaching.html",
                           sheets=services.shared_with(get_session(), current_user))


@bp.get("/coaching/<int:user_id>")
@role_required("comms")
def coached(user_id: int) -> str:
    sheet = services.readable_by(get_session(), current_user, user_id)
    if sheet is None or sheet.user_id == current_user.id:
        abort(404)  # not "forbidden": whether someone has a worksheet is private too
    return render_template("brand/read.html", rows=rows(sheet.data or {}), owner=sheet.user,
                           sheet=sheet, heading=_("Worksheet of %(name)s",
                                                  name=sheet.user.name))


def _tier_one() -> None:
    if current_user.tier_id != 1:
        abort(404)


@bp.get("/ceo")
@employee_only
def ceo() -> Response:
    _tier_one()
    sheet = services.worksheet_of(get_session(), current_user)
    open_step = next((n for n, (key, _l) in enumerate(CEO_QUESTIONS, start=1)
                      if not (sheet.ceo or {}).get(key)), 1)
    return redirect(url_for("brand.ceo_step", step=open_step))


@bp.route("/ceo/<int:step>", methods=["GET", "POST"])
@employee_only
def ceo_step(step: int) -> Response | tuple[str, int]:
    _tier_one()
    if not 1 <= step <= len(CEO_QUESTIONS):
        abort(404)
    db = get_session()
    form = CeoStepForm()
    key, question = CEO_QUESTIONS[step - 1]
    if request.method == "POST":
        if not form.validate():
            return _ceo_page(form, step, question, 400)
        services.save_ceo_answer(db, current_user, step, form.answer.data or "")
        db.commit()
        if form.back.data and step > 1:
            return redirect(url_for("brand.ceo_step", step=step - 1))
        if step == len(CEO_QUESTIONS):
            flash(_("Saved. You can come back to any question at any time."), "success")
            return redirect(url_for("brand.ceo_step", step=step))
        return redirect(url_for("brand.ceo_step", step=step + 1))
    form.answer.data = (services.worksheet_of(db, current_user).ceo or {}).get(key, "")
    return _ceo_page(form, step, question)


def _ceo_page(form: CeoStepForm, step: int, question: object,
              status: int = 200) -> tuple[str, int]:
    sheet = services.worksheet_of(get_session(), current_user)
    return render_template("brand/ceo.html", form=form, step=step, question=question,
                           questions=CEO_QUESTIONS, answers=sheet.ceo or {},
                           done=services.ceo_progress(sheet)), status


@bp.get("/print")
@employee_only
def printable() -> str:
    sheet = services.worksheet_of(get_session(), current_user)
    return render_template("brand/print.html", rows=rows(sheet.data or {}), sheet=sheet,
                           questions=CEO_QUESTIONS if current_user.tier_id == 1 else ())


@bp.get("/worksheet.md")
@employee_only
def export_markdown() -> Response:
    sheet = services.worksheet_of(get_session(), current_user)
    saved = (_("Saved on %(when)s", when=format_datetime(sheet.updated_at, "short"))
             if sheet.version else _("Not saved yet"))
    text = markdown(current_user.name, sheet.data or {},
                    sheet.ceo if current_user.tier_id == 1 else None, saved)
    return Response(text, mimetype="text/markdown", headers={
        "Content-Disposition": 'attachment; filename="personal-brand-worksheet.md"'})
