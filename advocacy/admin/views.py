"""Programme settings."""

from __future__ import annotations

from dataclasses import asdict

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from advocacy.admin import bp, services
from advocacy.admin.forms import SettingsForm
from advocacy.db import get_session
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
