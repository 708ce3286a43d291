"""Language choice: the person's saved preference, else the session, else the browser."""

from __future__ import annotations

from flask import has_request_context, request, session
from flask_login import current_user

LANGUAGES = {"de": "Deutsch", "en": "English"}
FALLBACK = "de"


def select_locale() -> str | None:
    """Outside a request (commands, jobs) Babel's default applies; mails to a person are
    written with `force_locale(person.language)`."""
    if not has_request_context():
        return None
    if current_user and current_user.is_authenticated:
        return str(current_user.language)
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return str(chosen)
    return request.accept_languages.best_match(list(LANGUAGES)) or FALLBACK
