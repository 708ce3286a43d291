"""Configuration, declared once.

Load order: DEFAULTS -> `instance/advocacy.cfg` (Python assignments) -> `ADVOCACY_<KEY>`
environment variables -> the overrides passed to `create_app` (tests). Every layer may only
set keys declared here; an unknown key is a typo that would otherwise be ignored silently,
so it stops the start.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from advocacy.crypto import local_key, parse_keys

DEFAULTS: dict[str, Any] = {
    # Core
    "SECRET_KEY": "",
    "DATABASE_URL": "",  # empty: SQLite file in the instance folder
    "DEBUG": False,
    "TESTING": False,
    "DEMO": False,  # embedded demo: generated secret key, mails to the log
    "BASE_URL": "http://127.0.0.1:5000",  # for links in e-mails sent outside a request
    "LOG_LEVEL": "INFO",
    "TIMEZONE": "Europe/Berlin",  # how times are shown; they are stored in UTC
    # Session cookies; SESSION_COOKIE_SECURE is forced on outside debug/demo/testing.
    "SESSION_COOKIE_SECURE": False,
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host are believed.
    "PROXY_HOPS": 0,
    # Strict-Transport-Security on https answers (0: not sent).
    "HSTS_SECONDS": 31_536_000,
    # Request limits per client address and minute (0: no limit), counted in "memory" (per
    # process) or in Redis ("redis://host:6379/0"), which all web processes share.
    "RATELIMIT_STORAGE": "memory",
    "REDIRECT_LIMIT_PER_MINUTE": 120,
    "LOGIN_LIMIT_PER_MINUTE": 10,
    "SESSION_HOURS": 12,
    "REMEMBER_DAYS": 30,
    # Mail: an empty MAIL_SERVER writes mails to the log instead of sending them.
    "MAIL_SERVER": "",
    "MAIL_PORT": 25,
    "MAIL_USERNAME": "",
    "MAIL_PASSWORD": "",
    "MAIL_STARTTLS": False,
    "MAIL_SSL": False,
    "MAIL_SENDER": "advocacy@localhost",
    "MAIL_TIMEOUT": 10,
    # Accounts
    "RESET_TOKEN_MINUTES": 60,
    "INVITE_TOKEN_DAYS": 14,
    "LOGIN_WINDOW_MINUTES": 15,
    "LOGIN_MAX_FAILURES_PER_ACCOUNT": 5,
    "LOGIN_MAX_FAILURES_PER_ADDRESS": 20,
    "PASSWORD_MIN_LENGTH": 10,
    # People import
    "IMPORT_MAX_BYTES": 2_000_000,
    "IMPORT_MAX_ROWS": 20_000,
    # Content
    "UPLOAD_DIR": "",  # empty: instance/uploads
    "IMAGE_MAX_BYTES": 8_000_000,
    # Scheduler
    "SCHEDULER_LEASE_SECONDS": 60,
    "SCHEDULER_TICK_SECONDS": 15,
    # Social networks. Encryption keys for stored tokens (comma-separated Fernet keys,
    # newest first); required outside debug and demo mode.
    "TOKEN_KEYS": "",
    # Allow plain-http provider hosts on loopback (local test servers only).
    "ALLOW_INSECURE_PROVIDERS": False,
    "PROVIDER_TIMEOUT": 10,
    # The outbox: how often the job looks for due posts; how long one network server's
    # lane may send per run; how long a lane whose server failed is left alone.
    "OUTBOX_INTERVAL_SECONDS": 1,
    "OUTBOX_LANE_SECONDS": 20,
    "OUTBOX_LANE_REST_SECONDS": 30,
    "LINKEDIN_CLIENT_ID": "",
    "LINKEDIN_CLIENT_SECRET": "",
    "LINKEDIN_AUTH_URL": "https://www.linkedin.com",
    "LINKEDIN_API_URL": "https://api.linkedin.com",
    "LINKEDIN_API_VERSION": "202609",
    "LINKEDIN_ANALYTICS": False,
    "X_CLIENT_ID": "",
    "X_CLIENT_SECRET": "",
    "X_AUTH_URL": "https://x.com",
    "X_API_URL": "https://api.x.com",
    "BLUESKY_DEFAULT_PDS": "https://bsky.social",
    # Single sign-on with OpenID Connect; an empty issuer switches it off. Discovery reads
    # <issuer>/.well-known/openid-configuration. The issuer is the operator's choice, so it
    # may be an intranet address, but it must use https (http only on loopback with
    # ALLOW_INSECURE_PROVIDERS, for tests).
    "OIDC_ISSUER": "",
    "OIDC_CLIENT_ID": "",
    "OIDC_CLIENT_SECRET": "",
    "OIDC_SCOPES": "openid email profile",
    "OIDC_BUTTON_LABEL": "",  # empty: "Company account" (translated)
    "OIDC_CREATE_USERS": True,  # people unknown here get an account at their first sign-in
    # Addresses allowed to link or create an account at a first sign-in (comma-separated
    # domains; empty: any the provider vouches for).
    "OIDC_EMAIL_DOMAINS": "",
    # Believe the e-mail claim without `email_verified: true` (Entra ID sends none): only for
    # a provider whose addresses all come from your own verified directory.
    "OIDC_TRUST_EMAIL": False,
    # Off: only single sign-on; the password form, reset and invitation links are refused.
    "PASSWORD_LOGIN": True,
}

ENV_PREFIX = "ADVOCACY_"
INSTANCE_FILE = "advocacy.cfg"


class ConfigError(RuntimeError):
    """Raised when the configuration cannot be used; the message says how to fix it."""


def _coerce(key: str, raw: str) -> Any:
    """Turn an environment string into the type of the declared default."""
    default = DEFAULTS[key]
    if isinstance(default, bool):
        lowered = raw.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off", ""}:
            return False
        raise ConfigError(f"{ENV_PREFIX}{key} must be true or false, not {raw!r}")
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"{ENV_PREFIX}{key} must be a whole number, not {raw!r}") from None
    return raw


def _check_keys(source: str, values: Mapping[str, Any]) -> None:
    unknown = sorted(set(values) - set(DEFAULTS))
    if unknown:
        raise ConfigError(f"unknown configuration keys in {source}: {', '.join(unknown)}")


def read_instance_file(instance_path: Path) -> dict[str, Any]:
    """Read upper-case assignments from the instance config file, if there is one."""
    path = instance_path / INSTANCE_FILE
    if not path.exists():
        return {}
    namespace: dict[str, Any] = {}
    exec(compile(path.read_text("utf-8"), str(path), "exec"), namespace)  # noqa: S102 - admin-owned file
    values = {k: v for k, v in namespace.items() if k.isupper()}
    _check_keys(str(path), values)
    return values


def read_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """Collect `ADVOCACY_*` variables; unknown names are rejected like unknown keys."""
    values = {k[len(ENV_PREFIX) :]: v for k, v in environ.items() if k.startswith(ENV_PREFIX)}
    # Variables that belong to tools around the app, not to the app itself.
    for tool_variable in ("TEST_POSTGRES_URL", "TEST_REDIS_URL"):
        values.pop(tool_variable, None)
    _check_keys("the environment", values)
    return {k: _coerce(k, v) for k, v in values.items()}


def load_config(
    instance_path: Path,
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Return the merged configuration, validated; raise ConfigError when unusable."""
    config = dict(DEFAULTS)
    config.update(read_instance_file(instance_path))
    config.update(read_environment(os.environ if environ is None else environ))
    if overrides:
        _check_keys("the overrides", overrides)
        config.update(overrides)

    if not config["UPLOAD_DIR"]:
        config["UPLOAD_DIR"] = str(instance_path / "uploads")
    if not config["DATABASE_URL"]:
        config["DATABASE_URL"] = f"sqlite:///{instance_path / 'advocacy.sqlite'}"
    relaxed = config["DEBUG"] or config["DEMO"] or config["TESTING"]
    if not config["SECRET_KEY"]:
        if not relaxed:
            raise ConfigError(
                "ADVOCACY_SECRET_KEY is not set. Generate one with "
                "`python -c 'import secrets; print(secrets.token_urlsafe(48))'` and set it in "
                "the environment (or start in demo mode with ADVOCACY_DEMO=1)."
            )
        config["SECRET_KEY"] = _local_secret_key(instance_path)
    if not config["TOKEN_KEYS"]:
        if not relaxed:
            raise ConfigError(
                "ADVOCACY_TOKEN_KEYS is not set. It encrypts the tokens of connected social "
                "accounts. Generate one with `python -c 'from cryptography.fernet import "
                "Fernet; print(Fernet.generate_key().decode())'`.")
        config["TOKEN_KEYS"] = local_key(instance_path)
    try:
        parse_keys(config["TOKEN_KEYS"])
    except ValueError:
        raise ConfigError("ADVOCACY_TOKEN_KEYS must be Fernet keys (32 url-safe base64 bytes), "
                          "separated by commas.") from None
    _check_sso(config)
    if not relaxed:
        config["SESSION_COOKIE_SECURE"] = True
    return config


def _check_sso(config: Mapping[str, Any]) -> None:
    """Refuse single sign-on settings that cannot work, or would lock everyone out."""
    from advocacy.sso.oidc import insecure_url_problem

    issuer = config["OIDC_ISSUER"]
    if not issuer:
        if not config["PASSWORD_LOGIN"]:
            raise ConfigError("ADVOCACY_PASSWORD_LOGIN is off but ADVOCACY_OIDC_ISSUER is not "
                              "set: nobody could log in. Set up single sign-on first.")
        return
    if not (config["OIDC_CLIENT_ID"] and config["OIDC_CLIENT_SECRET"]):
        raise ConfigError("ADVOCACY_OIDC_ISSUER is set, so ADVOCACY_OIDC_CLIENT_ID and "
                          "ADVOCACY_OIDC_CLIENT_SECRET are needed too (from the provider's "
                          "app registration).")
    if "openid" not in config["OIDC_SCOPES"].split():
        raise ConfigError("ADVOCACY_OIDC_SCOPES must contain openid.")
    problem = insecure_url_problem(issuer, config["ALLOW_INSECURE_PROVIDERS"])
    if problem:
        raise ConfigError(f"ADVOCACY_OIDC_ISSUER {problem}")


def _local_secret_key(instance_path: Path) -> str:
    """A per-installation key for debug and demo mode, kept so sessions survive restarts."""
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text("utf-8").strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key)
    return key
