"""Start page, health check and the language switch."""

from __future__ import annotations

from flask import Response, jsonify, redirect, render_template, session, url_for
from flask_login import current_user

from advocacy.core import bp, services
from advocacy.core.forms import LanguageForm
from advocacy.db import get_session
from advocacy.people.services import set_language
from advocacy.security import is_safe_local_url, login_required, public


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
