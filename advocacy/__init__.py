"""The advocacy application factory."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints, error pages, commands."""
    from advocacy import cli, crypto, db, errors, layout, mail, ratelimit, sanitize, web
    from advocacy.config import load_config
    from advocacy.sharing import links

    app = Flask(
        __name__,
        instance_path=str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    config = load_config(Path(app.instance_path), overrides)
    app.config.update(config)
    _configure_web(app)
    web.init_app(app)
    _configure_logging(app)

    db.init_app(app)
    crypto.init_app(app)
    mail.init_app(app)
    ratelimit.init_app(app)
    _init_extensions(app)
    _register_blueprints(app)
    errors.init_app(app)
    layout.init_app(app)
    sanitize.init_app(app)
    links.init_app(app)
    cli.init_app(app)
    web.trust_proxies(app)
    return app


def _configure_web(app: Flask) -> None:
    secure = app.config["SESSION_COOKIE_SECURE"]
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=app.config["SESSION_HOURS"]),
        REMEMBER_COOKIE_DURATION=dt.timedelta(days=app.config["REMEMBER_DAYS"]),
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=secure,
        MAX_CONTENT_LENGTH=16 * 1024 * 1024,
        # A token per session instead of per hour: a form left open over lunch still works.
        WTF_CSRF_TIME_LIMIT=None,
        WTF_CSRF_ENABLED=True,
    )



def _configure_logging(app: Flask) -> None:
    level = getattr(logging, str(app.config["LOG_LEVEL"]).upper(), logging.INFO)
    # Configure the root logger before touching app.logger: Flask then sees a handler and
    # does not add its own, so each line is logged once.
    if not app.testing and not logging.getLogger().handlers:
        logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("advocacy").setLevel(level)
    # APScheduler logs every run of every job at INFO; our jobs log what matters.
    logging.getLogger("apscheduler").setLevel(max(level, logging.WARNING))


def _init_extensions(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from advocacy.extensions import babel, csrf, login_manager
    from advocacy.i18n import select_locale
    from advocacy.people.services import load_login

    babel.init_app(
        app,
        default_locale="en",
        locale_selector=select_locale,
        default_timezone=app.config["TIMEZONE"],
        default_translation_directories=str(Path(__file__).parent / "translations"),
    )
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_login)


def _register_blueprints(app: Flask) -> None:
    """Import each area's views (which attach its routes) and register its blueprint."""
    import importlib

    importlib.import_module("advocacy.sharing.draft_views")  # more sharing routes
    importlib.import_module("advocacy.admin.agreement_views")  # the works agreement
    for area in AREAS:
        importlib.import_module(f"advocacy.{area}.views")
        app.register_blueprint(importlib.import_module(f"advocacy.{area}").bp)


# Every feature area with pages, in the order their blueprints are registered.
AREAS = ("core", "auth", "people", "admin", "reports", "content", "sharing", "governance",
         "engagement", "accounts", "brand", "me", "suggestions",
         "notifications", "feeds", "challenges", "rewards", "training", "sso")
