"""Programme settings and the audit log."""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal

import sqlalchemy as sa
from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from advocacy.admin import agreement, bp, services
from advocacy.admin.forms import ReportSettingsForm, SettingsForm
from advocacy.core.models import AuditEvent
from advocacy.db import get_session, paginate, utcnow
from advocacy.people.models import User
from advocacy.providers.registry import NETWORKS
from advocacy.reports.reach import Rates
from advocacy.reports.services import format_rates, parse_rates
from advocacy.security import role_required


@bp.get("/settings")
@role_required("admin")
def settings() -> str:
    current = services.get_settings(get_session())
    return render_template("admin/settings.html", form=SettingsForm(data=asdict(current)))


@bp.post("/settings")
@role_required("admin")
def settings_submit() -> str | Response | tuple[str, int]:
    form = SettingsForm()
    if not form.validate():
        return render_template("admin/settings.html", form=form), 400
    db = get_session()
    services.save_settings(db, {field.name: field.data for field in form
                                if field.name in services.KEYS}, current_user.id)
    db.commit()
    flash(_("Settings saved."), "success")
    return redirect(url_for("admin.settings"))


def _report_form_data(current: services.ProgrammeSettings) -> dict[str, object]:
    data: dict[str, object] = {
        "works_council_mode": current.works_council_mode,
        "min_group_size": current.min_group_size,
        "click_retention_months": current.click_retention_months,
        "individual_reports": current.individual_reports,
    }
    for network, rate in parse_rates(current.emv_rates).items():
        data[f"cpm_{network}"] = Decimal(str(rate.cpm))
        data[f"cpc_{network}"] = Decimal(str(rate.cpc))
    return data


@bp.get("/settings/reports")
@role_required("admin")
def settings_reports() -> str:
    current = services.get_settings(get_session())
    return render_template("admin/report_settings.html", networks=NETWORKS,
                           form=ReportSettingsForm(data=_report_form_data(current)))


@bp.post("/settings/reports")
@role_required("admin")
def settings_reports_submit() -> str | Response | tuple[str, int]:
    form = ReportSettingsForm()
    if not form.validate():
        return render_template("admin/report_settings.html", networks=NETWORKS, form=form), 400
    rates = {}
    for network in NETWORKS:
        cpm, cpc = form[f"cpm_{network}"].data, form[f"cpc_{network}"].data
        if cpm is not None or cpc is not None:  # one of the two alone means the other is 0
            rates[network] = Rates(float(cpm or 0), float(cpc or 0))
    db = get_session()
    held = agreement.save(db, {
        "works_council_mode": form.works_council_mode.data,
        "min_group_size": form.min_group_size.data,
        "click_retention_months": form.click_retention_months.data,
        "individual_reports": form.individual_reports.data,
        "emv_rates": format_rates(rates),
    }, current_user.id, utcnow())
    db.commit()
    if held:
        labels = agreement.setting_labels()
        flash(_("Saved. The works agreement fixes %(names)s: that change waits for a second "
                "admin's confirmation (Works council page).",
                names=", ".join(labels[key] for key in held)), "info")
    else:
        flash(_("Report settings saved."), "success")
    return redirect(url_for("admin.settings_reports"))


@bp.get("/audit")
@role_required("admin")
def audit_log() -> str:
    """Everything the audit log holds, newest first, optionally one kind of action: two
    queries, the page and the names on it."""
    db = get_session()
    kinds = services.audit_kinds()
    kind = request.args.get("kind", "")
    query = sa.select(AuditEvent)
    if kind in kinds:
        query = query.where(AuditEvent.action.like(kind + ".%"))
    page = paginate(db, query, request.args.get("page", 1, type=int), 50,
                    AuditEvent.created_at.desc(), AuditEvent.id.desc())
    actors = {event.actor_id for event in page.items if event.actor_id is not None}
    names = dict(db.execute(sa.select(User.id, User.name).where(User.id.in_(actors))).all()) \
        if actors else {}
    return render_template("admin/audit.html", page=page, names=names, kinds=kinds,
                           kind=kind if kind in kinds else "",
                           actions=services.audit_action_labels())
