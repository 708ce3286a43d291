"""Domain errors and the error pages (HTML for people, JSON for machines)."""

from __future__ import annotations

from flask import Flask, current_app, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError


class DomainError(Exception):
    """A rule of the domain was broken; the message is shown to the person as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return request.path.startswith("/healthz") or best == "application/json"


def _titles() -> dict[int, str]:
    return {
        400: _("The request could not be understood"),
        403: _("You do not have access to this page"),
        404: _("Page not found"),
        405: _("This action is not allowed here"),
        413: _("The file is too large"),
        429: _("Too many requests"),
        500: _("Something went wrong on our side"),
    }


def _explanations() -> dict[int, str]:
    return {
        400: _("Please go back, reload the page and try again."),
        403: _("If you think you should have access, ask your programme administrator."),
        404: _("The address may be mistyped, or the page was moved or removed."),
        405: _("Please use the buttons on the page instead of typing the address."),
        413: _("Please choose a smaller file."),
        429: _("Please wait a moment before you try again."),
        500: _("The problem has been logged. Please try again in a few minutes."),
    }


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError) -> tuple[str, int]:
        explanation = _(
            "The form had expired or was sent from another site. Go back, reload the page "
            "and send it again."
        )
        return _render(400, explanation)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> object:
        if error.code is None or error.code < 400:
            return error
        body, code = _render(error.code)
        # Keep what the error says to machines, such as Retry-After on a 429.
        headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
        return body, code, headers

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> tuple[str, int]:
        session = g.get("db_session")
        if session is not None:
            session.rollback()
        if app.testing:
            raise error  # tests want the traceback, not a friendly page
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return _render(InternalServerError.code)


def _render(code: int, explanation: str | None = None) -> tuple[str, int]:
    try:
        title = _titles().get(code, _("Error"))
        text = explanation or _explanations().get(code, "")
        if _wants_json():
            return jsonify(error=title, detail=text), code  # type: ignore[return-value]
        return render_template("errors/error.html", code=code, title=title, text=text), code
    except Exception:
        # The page itself needs the database (the reader's language, the programme's
        # name); while the database is down, say so in both languages without it.
        current_app.logger.exception("the error page could not be rendered")
        return FALLBACK_PAGE, code


# Deliberately not translated through gettext: it is shown when the translations' inputs
# (the person, the settings) cannot be read.
FALLBACK_PAGE = """<!doctype html>
<html lang="de"><head><meta charset="utf-8"><meta name="viewport"
content="width=device-width, initial-scale=1"><title>Fehler / Error</title></head><body>
<h1>Bei uns ist etwas schiefgelaufen</h1>
<p>Bitte versuchen Sie es in ein paar Minuten erneut.</p>
<h1 lang="en">Something went wrong on our side</h1>
<p lang="en">Please try again in a few minutes.</p>
</body></html>
"""
