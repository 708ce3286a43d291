"""Access rules, safe redirects, password hashing and keyed hashes.

Every view declares who may reach it with one of three decorators: `public`,
`login_required` or `role_required(...)`. The declaration is kept on the view function as
`access`, so the role-matrix test can prove that no route was left without one.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import abort
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.security import check_password_hash, generate_password_hash

from advocacy.extensions import login_manager

F = TypeVar("F", bound=Callable[..., Any])

PUBLIC = "public"
AUTHENTICATED = "authenticated"


def public(view: F) -> F:
    """Mark a view as reachable without logging in."""
    view.access = PUBLIC  # type: ignore[attr-defined]
    return view


def login_required(view: F) -> F:
    """Any active, logged-in person."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return view(*args, **kwargs)

    wrapped.access = AUTHENTICATED  # type: ignore[attr-defined]
    return wrapped  # type: ignore[return-value]


def role_required(*roles: str) -> Callable[[F], F]:
    """A logged-in person holding at least one of `roles`; others get 403."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.access = frozenset(roles)  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


def is_safe_local_url(target: str | None) -> bool:
    """True only for a path on this site: no scheme, no host, no protocol-relative tricks."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    if any(ord(ch) < 32 or ch == "\\" for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Compare in constant time; with no stored hash, still spend the time of a check."""
    if stored_hash is None:
        check_password_hash(_DUMMY_HASH, password)
        return False
    return check_password_hash(stored_hash, password)


_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")

# A short list of passwords that meet the length rule and are still guessed first.
_COMMON_PASSWORDS = frozenset(
    {
        "1234567890", "12345678910", "0123456789", "passwort123", "password123",
        "password1234", "qwertzuiop", "qwertyuiop", "hallo12345", "passwort1234",
        "administrator", "letmein1234", "sommer2026!", "winter2026!", "iloveyou123",
    }
)


def password_problems(password: str, email: str, min_length: int) -> list[str]:
    """Plain-language reasons why a new password cannot be used (empty when it is fine)."""
    problems = []
    if len(password) < min_length:
        problems.append(_("Use at least %(n)d characters.", n=min_length))
    lowered = password.lower()
    if lowered in _COMMON_PASSWORDS or len(set(password)) < 4:
        problems.append(_("This password is too easy to guess."))
    local_part = email.split("@", 1)[0].lower()
    if email and (lowered == email.lower() or (len(local_part) >= 4 and local_part in lowered)):
        problems.append(_("Do not use your e-mail address in the password."))
    return problems


def keyed_hash(secret: str, value: str) -> str:
    """HMAC-SHA256 of `value`: stable for lookups, useless without the secret key."""
    return hmac.new(secret.encode(), value.encode(), hashlib.sha256).hexdigest()
