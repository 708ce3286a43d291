"""Single sign-on: the login button's flow and the admin page of claim rules.

The button is a plain link (GET): starting a sign-in changes nothing but this browser's
pending request, so it needs no CSRF token, and an intranet portal can link to it. The
callback is what must be protected, and is: the `state` must be one this browser started
(at most a few, for a few minutes), the ID token must carry its `nonce`, and the code is
only worth something with the PKCE verifier kept in this session.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_user
from werkzeug.wrappers import Response

from advocacy.core.services import audit
from advocacy.db import get_session
from advocacy.errors import DomainError
from advocacy.forms import ActionForm
from advocacy.people.services import kind_labels, list_groups, list_tiers
from advocacy.security import is_safe_local_url, public, role_required
from advocacy.sso import bp, oidc, services
from advocacy.sso.forms import RuleForm
from advocacy.sso.models import SsoRule

log = logging.getLogger(__name__)

PENDING_KEY = "oidc_pending"
PENDING_SECONDS = 15 * 60  # time to get through the provider's login page
PENDING_MAX = 3  # sign-ins started in other tabs that may still come back


def sso_enabled() -> bool:
    return bool(current_app.config["OIDC_ISSUER"])


def button_label() -> str:
    return current_app.config["OIDC_BUTTON_LABEL"] or _("Company account")


def _client() -> oidc.Client:
    """The app's provider client (discovery and keys cached in it); 404 when SSO is off."""
    if not sso_enabled():
        abort(404)
    client = current_app.extensions.get("advocacy_sso")
    if client is None:
        client = oidc.Client(oidc.Settings.from_config(current_app.config))
        current_app.extensions["advocacy_sso"] = client
    return client


def _back_to_login(message: str) -> Response:
    flash(message, "error")
    return redirect(url_for("auth.login"))


@bp.get("/auth/oidc/login")
@public
def start() -> Response:
    client = _client()
    target = request.args.get("next")
    target = target if is_safe_local_url(target) else url_for("core.home")
    if current_user.is_authenticated:
        return redirect(target)
    try:
        address, pending = client.start()
    except oidc.OidcError as exc:
        log.warning("single sign-on cannot start: %s", exc)
        return _back_to_login(_("Your company account cannot be reached right now. Please "
                                "try again in a few minutes."))
    now = time.time()
    kept: dict[str, Any] = {state: entry for state, entry
                            in session.get(PENDING_KEY, {}).items()
                            if now - entry.get("at", 0) < PENDING_SECONDS}
    kept[pending.state] = {"nonce": pending.nonce, "verifier": pending.code_verifier,
                           "next": target, "at": now}
    newest = sorted(kept.items(), key=lambda item: item[1]["at"])[-PENDING_MAX:]
    session[PENDING_KEY] = dict(newest)
    return redirect(address)


@bp.get("/auth/oidc/callback")
@public
def callback() -> Response:
    client = _client()
    pending_all = dict(session.get(PENDING_KEY, {}))
    state = request.args.get("state", "")
    entry = pending_all.pop(state, None) if state else None
    session[PENDING_KEY] = pending_all  # each request is answered once
    if entry is None or time.time() - entry.get("at", 0) >= PENDING_SECONDS:
        log.info("single sign-on: unknown or expired state")
        return _back_to_login(_("The sign-in took too long or was started in another window. "
                                "Please try again."))
    if request.args.get("error"):
        log.info("single sign-on: the provider answered %s", request.args.get("error"))
        return _back_to_login(_("The sign-in with your company account was cancelled or "
                                "refused there."))
    pending = oidc.Pending(state=state, nonce=entry["nonce"], code_verifier=entry["verifier"])
    try:
        claims = client.finish(request.args.get("code", ""), pending, request.args.get("iss"))
    except oidc.OidcError as exc:
        log.warning("single sign-on failed: %s", exc)
        return _back_to_login(_("The sign-in with your company account did not work. Please "
                                "try again; if it keeps failing, tell your programme "
                                "administrator."))
    db = get_session()
    try:
        config = current_app.config
        domains = frozenset(d.strip().lower() for d in config["OIDC_EMAIL_DOMAINS"].split(",")
                            if d.strip())
        result = services.sign_in(db, client.settings.issuer, claims,
                                  create_users=config["OIDC_CREATE_USERS"],
                                  trust_email=config["OIDC_TRUST_EMAIL"],
                                  email_domains=domains,
                                  fallback_language=str(get_locale() or "de"))
    except DomainError as exc:
        db.rollback()
        return _back_to_login(exc.message)
    db.commit()
    target = entry["next"] if is_safe_local_url(entry.get("next")) else url_for("core.home")
    session.clear()  # a fresh session on login: nothing from before carries over
    login_user(result.user)
    session.permanent = True
    for note in result.notes:
        flash(note, "info")
    return redirect(target)


# ---------------------------------------------------------------------------------------
# Rules (admins)


def _rule_form(rule: SsoRule | None = None) -> RuleForm:
    db = get_session()
    form = RuleForm(obj=rule)
    kinds = kind_labels()
    form.group_id.choices = [(None, _("No group"))] + [
        (g.id, f"{kinds[g.kind]}: {g.name}") for g in list_groups(db)]
    form.tier_id.choices = [(None, _("Leave the tier as it is"))] + [
        (t.id, f"{t.id} · {t.name}") for t in list_tiers(db)]
    return form


def _rule_data(form: RuleForm) -> services.RuleData:
    return services.RuleData(claim=form.claim.data or "", kind=form.kind.data or "contains",
                             value=form.value.data or "", group_id=form.group_id.data,
                             tier_id=form.tier_id.data)


def _rules_page(form: RuleForm | None = None) -> str:
    return render_template("sso/rules.html", rules=services.list_rules(get_session()),
                           form=form or _rule_form(), action=ActionForm(),
                           enabled=sso_enabled(), label=button_label(),
                           password_login=current_app.config["PASSWORD_LOGIN"],
                           create_users=current_app.config["OIDC_CREATE_USERS"],
                           redirect_uri=oidc.Settings.from_config(current_app.config)
                           .redirect_uri)


@bp.get("/admin/sso")
@role_required("admin")
def rules() -> str:
    return _rules_page()


@bp.post("/admin/sso")
@role_required("admin")
def rule_create() -> Response | tuple[str, int]:
    form = _rule_form()
    if not form.validate():
        return _rules_page(form), 400
    db = get_session()
    try:
        rule = services.save_rule(db, None, _rule_data(form))
        audit(db, current_user.id, "sso.rule_created", services.describe_rule(rule))
    except DomainError as exc:
        db.rollback()
        form.claim.errors = [exc.message]
        return _rules_page(form), 400
    db.commit()
    flash(_("Rule saved. It applies at each person's next sign-in."), "success")
    return redirect(url_for("sso.rules"))


def _rule_or_404(rule_id: int) -> SsoRule:
    rule = get_session().get(SsoRule, rule_id)
    if rule is None:
        abort(404)
    return rule


@bp.get("/admin/sso/<int:rule_id>")
@role_required("admin")
def rule_edit(rule_id: int) -> str:
    rule = _rule_or_404(rule_id)
    return render_template("sso/rule_edit.html", rule=rule, form=_rule_form(rule))


@bp.post("/admin/sso/<int:rule_id>")
@role_required("admin")
def rule_update(rule_id: int) -> Response | tuple[str, int]:
    rule = _rule_or_404(rule_id)
    form = _rule_form()
    db = get_session()
    if form.validate():
        before = services.describe_rule(rule)
        try:
            services.save_rule(db, rule, _rule_data(form))
            audit(db, current_user.id, "sso.rule_updated",
                  f"{before} ⇒ {services.describe_rule(rule)}")
        except DomainError as exc:
            db.rollback()
            form.claim.errors = [exc.message]
        else:
            db.commit()
            flash(_("Rule saved. It applies at each person's next sign-in."), "success")
            return redirect(url_for("sso.rules"))
    return render_template("sso/rule_edit.html", rule=rule, form=form), 400


@bp.post("/admin/sso/<int:rule_id>/delete")
@role_required("admin")
def rule_delete(rule_id: int) -> Response:
    rule = _rule_or_404(rule_id)
    if not ActionForm().validate():
        abort(400)
    db = get_session()
    audit(db, current_user.id, "sso.rule_deleted", services.describe_rule(rule))
    services.delete_rule(db, rule)
    db.commit()
    flash(_("Rule deleted. Groups it gave are taken back at each person's next sign-in."),
          "success")
    return redirect(url_for("sso.rules"))


def _move(rule_id: int, step: int) -> Response:
    rule = _rule_or_404(rule_id)
    if not ActionForm().validate():
        abort(400)
    db = get_session()
    services.move_rule(db, rule, step)
    audit(db, current_user.id, "sso.rule_moved",
          f"{services.describe_rule(rule)}: {'up' if step < 0 else 'down'}")
    db.commit()
    return redirect(url_for("sso.rules"))


@bp.post("/admin/sso/<int:rule_id>/up")
@role_required("admin")
def rule_up(rule_id: int) -> Response:
    return _move(rule_id, -1)


@bp.post("/admin/sso/<int:rule_id>/down")
@role_required("admin")
def rule_down(rule_id: int) -> Response:
    return _move(rule_id, 1)
