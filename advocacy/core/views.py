"""Start page, health check and the language switch."""

from __future__ import annotations

from flask import Response, jsonify, redirect, render_template, session, url_for
from flask_login import current_user

from advocacy.admin.audit_words import detail_text
from advocacy.core import bp, services
from advocacy.core.forms import LanguageForm
from advocacy.core.models import AuditEvent
from advocacy.db import get_session
from advocacy.people.services import set_language
from advocacy.problems import stored_text
from advocacy.security import is_safe_local_url, login_required, public


@bp.app_template_filter("audit_detail")
def audit_detail(event: AuditEvent) -> str:
    """An audit entry's detail in the reader's language (the admin's audit log, the list of
    report views)."""
    return detail_text(event.action, event.detail)


@bp.app_template_filter("problem")
def problem_filter(stored: str | None, network: str | None = None) -> str:
    """A stored problem (advocacy.problems) in the reader's language; `network` names the
    network where the problem did not store it."""
    return stored_text(stored, **({"network": network} if network else {}))


@bp.get("/")
@login_required
def home() -> str:
    """Employees start in their feed; everyone else on an overview of their tasks."""
    if current_user.has_role("employee"):
        from advocacy.sharing.views import feed_page

        return feed_page()
    return render_template("core/home.html", tier=current_user.tier)


@bp.get("/healthz")
@public
def healthz() -> tuple[Response, int]:
    healthy, detail = services.database_status(get_session())
    body = {"status": "ok" if healthy else "error", "database": detail}
    return jsonify(body), 200 if healthy else 503


@bp.post("/language")
@public
def language() -> Response:
    form = LanguageForm()
    target = form.next.data if is_safe_local_url(form.next.data) else url_for("core.home")
    if form.validate():
        session["lang"] = form.language.data
        if current_user.is_authenticated:
            set_language(get_session(), current_user, form.language.data)
            get_session().commit()
    return redirect(target)
