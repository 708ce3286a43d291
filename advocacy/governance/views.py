"""Guidelines: everyone reads and acknowledges them; admins publish new versions."""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from advocacy.db import get_session, utcnow
from advocacy.engagement.services import award
from advocacy.governance import bp, services
from advocacy.governance.forms import AcknowledgeForm, GuidelineForm
from advocacy.layout import current_settings
from advocacy.security import login_required, role_required


@bp.get("/guidelines")
@login_required
def guidelines() -> str:
    db = get_session()
    current = services.current_guideline(db)
    return render_template(
        "governance/guidelines.html", guideline=current, form=AcknowledgeForm(),
        acknowledged_at=services.acknowledged_at(db, current_user, current) if current else None)


@bp.post("/guidelines/acknowledge")
@role_required("employee")
def acknowledge() -> Response:
    if not AcknowledgeForm().validate():
        abort(400)
    db = get_session()
    current = services.current_guideline(db)
    if current is None:
        abort(404)
    now = utcnow()
    if services.acknowledge(db, current_user, current, now):
        award(db, current_user.id, "guidelines_ack", "guideline", current.id,
              current_settings(), now, current_app.config["TIMEZONE"])
    db.commit()
    flash(_("Thank you. You can share now."), "success")
    return redirect(url_for("core.home"))


@bp.route("/admin/guidelines", methods=["GET", "POST"])
@role_required("admin")
def manage() -> str | Response | tuple[str, int]:
    db = get_session()
    versions = services.list_guidelines(db)
    form = GuidelineForm()
    if form.is_submitted():
        if form.validate():
            guideline = services.publish_guideline(db, current_user, form.title.data,
                                                   form.body_html.data)
            db.commit()
            flash(_("Version %(v)d is published. Everyone confirms it before their next "
                    "share.", v=guideline.version), "success")
            return redirect(url_for("governance.manage"))
        return render_template("governance/manage.html", form=form, versions=versions), 400
    if versions:
        form.title.data, form.body_html.data = versions[0].title, versions[0].body_html
    return render_template("governance/manage.html", form=form, versions=versions)
