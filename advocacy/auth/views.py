"""Log in and out, reset a forgotten password, accept an invitation, edit one's profile."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from advocacy.auth import bp, services
from advocacy.auth.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    SetPasswordForm,
)
from advocacy.db import get_session, utcnow
from advocacy.engagement import badges
from advocacy.errors import DomainError
from advocacy.people.services import ProfileData, update_profile
from advocacy.providers.mastodon import normalize_instance
from advocacy.ratelimit import limiter
from advocacy.security import is_safe_local_url, login_required, public
from advocacy.sso import views as sso_views


def _next_url() -> str:
    target = request.args.get("next")
    return target if is_safe_local_url(target) else url_for("core.home")


def _passwords_off() -> bool:
    """With PASSWORD_LOGIN off, people log in only with single sign-on (config.py makes
    sure it is set up then)."""
    return not current_app.config["PASSWORD_LOGIN"]


def _passwords_off_message() -> str:
    return _("Passwords are not used here: please log in with “%(label)s”.",
             label=sso_views.button_label())


def _login_page(form: LoginForm) -> str:
    return render_template(
        "auth/login.html", form=form,
        sso_label=sso_views.button_label() if sso_views.sso_enabled() else None)


@bp.get("/login")
@public
def login() -> str | Response:
    if current_user.is_authenticated:
        return redirect(_next_url())
    return _login_page(LoginForm())


@bp.post("/login")
@public
def login_submit() -> str | Response:
    form = LoginForm()
    if _passwords_off():
        flash(_passwords_off_message(), "error")
        return _login_page(form), 403
    wait = limiter().wait("login", request.remote_addr or "",
                          current_app.config["LOGIN_LIMIT_PER_MINUTE"])
    if wait:
        flash(_("Too many login attempts from your network. Please try again in %(seconds)d "
                "seconds.", seconds=wait), "error")
        return _login_page(form), 429, {"Retry-After": str(wait)}
    if not form.validate():
        return _login_page(form), 400
    db = get_session()
    policy = services.ThrottlePolicy.from_config(current_app.config)
    try:
        user = services.authenticate(db, form.email.data, form.password.data,
                                     request.remote_addr or "", policy)
    except services.LoginThrottled as exc:
        db.commit()
        flash(exc.message, "error")
        return _login_page(form), 429
    except services.InvalidCredentials as exc:
        db.commit()  # the failure must be counted
        flash(exc.message, "error")
        return _login_page(form), 400
    db.commit()
    target = _next_url()
    session.clear()  # a fresh session on login: nothing from before carries over
    login_user(user, remember=form.remember.data)
    session.permanent = True
    return redirect(target)


@bp.post("/logout")
@public
def logout() -> Response:
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.get("/password/forgot")
@public
def forgot() -> str | Response:
    if _passwords_off():
        flash(_passwords_off_message(), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=ForgotPasswordForm())


@bp.post("/password/forgot")
@public
def forgot_submit() -> str | Response:
    if _passwords_off():
        flash(_passwords_off_message(), "info")
        return redirect(url_for("auth.login"))
    form = ForgotPasswordForm()
    if not form.validate():
        return render_template("auth/forgot.html", form=form), 400
    db = get_session()
    lifetime = dt.timedelta(minutes=current_app.config["RESET_TOKEN_MINUTES"])
    services.request_password_reset(
        db, form.email.data, lambda t: url_for("auth.reset", token=t, _external=True), lifetime
    )
    db.commit()
    flash(_("If an account exists for %(email)s, we have sent it a link to set a new password. "
            "The link works once and expires in %(minutes)d minutes.",
            email=form.email.data, minutes=lifetime.total_seconds() // 60), "info")
    return redirect(url_for("auth.login"))


def _token_page(token: str, purpose: str, template: str) -> str | Response:
    """Show, or save, the set-password form of a reset or invitation link."""
    if _passwords_off():  # the link is not used up: it works again if passwords come back
        return render_template("auth/link_invalid.html", message=_passwords_off_message(),
                               purpose="sso"), 410
    db = get_session()
    try:
        row = services.find_token(db, token, purpose)
    except services.InvalidToken as exc:
        return render_template("auth/link_invalid.html", message=exc.message, purpose=purpose), 410
    form = SetPasswordForm()
    form.password_owner_email = row.user.email
    if request.method == "POST" and form.validate():
        user = services.use_token(db, token, purpose, form.password.data)
        db.commit()
        logout_user()
        session.clear()
        login_user(user)
        session.permanent = True
        flash(_("Your password is saved. Welcome!"), "success")
        return redirect(url_for("core.home"))
    status = 400 if request.method == "POST" else 200
    return render_template(template, form=form, user=row.user), status


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
def reset(token: str) -> str | Response:
    return _token_page(token, "reset", "auth/reset.html")


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
def invitation(token: str) -> str | Response:
    return _token_page(token, "invite", "auth/invitation.html")


def _badges() -> list[str]:
    """The names of the badges the person earned, for the profile."""
    earned = badges.earned(get_session(), current_user.id)
    return [str(badge.label) for badge in badges.BADGES if badge.key in earned]


@bp.get("/profile")
@login_required
def profile() -> str:
    form = ProfileForm(obj=current_user)
    form.content_languages.data = current_user.content_languages or ""
    return render_template("auth/profile.html", badges=_badges(), form=form,
                           password_form=ChangePasswordForm())


@bp.post("/profile")
@login_required
def profile_submit() -> str | Response:
    form = ProfileForm()
    if not form.validate():
        return render_template("auth/profile.html", badges=_badges(), form=form,
                               password_form=ChangePasswordForm()), 400
    update_profile(get_session(), current_user, ProfileData(
        name=form.name.data, language=form.language.data,
        content_languages=form.content_languages.data or "",
        mastodon_instance=normalize_instance(form.mastodon_instance.data or ""),
        leaderboard_opt_in=form.leaderboard_opt_in.data, digest=form.digest.data or "weekly",
        reported_followers=form.reported_followers.data),
        utcnow().astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date())
    get_session().commit()
    flash(_("Your profile is saved."), "success")
    return redirect(url_for("auth.profile"))


@bp.post("/profile/password")
@login_required
def change_password() -> str | Response:
    if _passwords_off():
        flash(_passwords_off_message(), "error")
        return redirect(url_for("auth.profile"))
    form = ChangePasswordForm()
    form.password_owner_email = current_user.email
    db = get_session()
    if form.validate():
        try:
            services.change_password(db, current_user, form.current.data, form.password.data)
        except DomainError as exc:
            form.current.errors = [exc.message]
        else:
            db.commit()
            # The old cookie names the old session version; log in again with the new one.
            login_user(current_user._get_current_object())
            flash(_("Your password is changed. Other devices have been logged out."), "success")
            return redirect(url_for("auth.profile"))
    return render_template("auth/profile.html", badges=_badges(),
                           form=ProfileForm(obj=current_user),
                           password_form=form), 400
