"""Programme settings."""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from advocacy.admin import bp, services
from advocacy.admin.forms import ReportSettingsForm, SettingsForm
from advocacy.db import get_session
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
                                if field.name in services.KEYS})
    db.commit()
    flash(_("Settings saved."), "success")
    return redirect(url_for("admin.settings"))


def _report_form_data(current: services.ProgrammeSettings) -> dict[str, object]:
    data: dict[str, object] = {
        "works_council_mode": current.works_council_mode,
        "min_group_size": current.min_group_size,
        "click_retention_months": current.click_retention_months,
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
    services.save_settings(db, {
        "works_council_mode": form.works_council_mode.data,
        "min_group_size": form.min_group_size.data,
        "click_retention_months": form.click_retention_months.data,
        "emv_rates": format_rates(rates),
    })
    db.commit()
    flash(_("Report settings saved."), "success")
    return redirect(url_for("admin.settings_reports"))
