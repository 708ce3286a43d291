"""Guidelines: everyone reads and acknowledges them; admins publish new versions."""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from advocacy.db import get_session, utcnow
from advocacy.engagement.services import award
from advocacy.errors import DomainError
from advocacy.governance import bp, services
from advocacy.governance.forms import AcknowledgeForm, GuidelineForm
from advocacy.i18n import LANGUAGES
from advocacy.layout import current_settings
from advocacy.sanitize import sanitize_html
from advocacy.security import login_required, role_required


@bp.get("/guidelines")
@login_required
def guidelines() -> str:
    db = get_session()
    current = services.current_guideline(db)
    reader = str(get_locale())
    text = current.text_in(reader) if current else None
    return render_template(
        "governance/guidelines.html", guideline=current, text=text, form=AcknowledgeForm(),
        other_language=text is not None and text.language != reader,
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


def _manage_page(form: GuidelineForm, status: int = 200) -> tuple[str, int]:
    versions = services.list_guidelines(get_session())
    current = versions[0] if versions else None
    missing = [LANGUAGES[code] for code in LANGUAGES if current and code not in current.languages]
    return render_template("governance/manage.html", form=form, versions=versions,
                           languages=LANGUAGES, current=current, missing=missing), status


@bp.route("/admin/guidelines", methods=["GET", "POST"])
@role_required("admin")
def manage() -> str | Response | tuple[str, int]:
    db = get_session()
    form = GuidelineForm()
    if not form.is_submitted():
        current = services.current_guideline(db)
        if current is not None:  # the form starts from the newest texts
            form.fill({text.language: text for text in current.texts})
        return _manage_page(form)
    if not form.validate():
        return _manage_page(form, 400)
    try:
        if form.add_language.data:
            done = _add_languages(form)
        else:
            guideline = services.publish_guideline(db, current_user, form.texts())
            done = _("Version %(v)d is published. Everyone confirms it before their next "
                     "share.", v=guideline.version)
    except DomainError as exc:
        db.rollback()
        flash(exc.message, "error")
        return _manage_page(form, 400)
    db.commit()
    flash(done, "success")
    return redirect(url_for("governance.manage"))


def _add_languages(form: GuidelineForm) -> str:
    """Add the languages the current version lacks; its existing texts must be sent as
    they are (changing them takes a new version)."""
    db = get_session()
    current = services.current_guideline(db)
    if current is None:
        raise DomainError(_("Publish a first version before adding languages."))
    texts = form.texts()
    for text in current.texts:
        sent = texts.pop(text.language, None)
        if sent is None or (sent.title.strip(), _plain(sanitize_html(sent.body_html))) != (
                text.title, _plain(text.body_html)):
            raise DomainError(_("The text in %(language)s was changed: publish it as a new "
                                "version, so that everyone confirms it again.",
                                language=LANGUAGES[text.language]))
    if not texts:
        raise DomainError(_("Write the text in the language this version lacks."))
    for language, data in texts.items():
        services.add_translation(db, current_user, current, language, data, utcnow())
    return _("The text in %(languages)s is added to version %(v)d. Confirmations stay.",
             languages=", ".join(LANGUAGES[language] for language in texts), v=current.version)


def _plain(html: str) -> str:
    """HTML with its white space evened out (editors lay markup out their own way)."""
    return " ".join(html.split())
