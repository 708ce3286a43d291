from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import Length

from advocacy.forms import BaseForm
from advocacy.governance.services import GuidelineData
from advocacy.i18n import LANGUAGES


def _title() -> StringField:
    return StringField(_l("Title"), validators=[Length(max=200)])


def _body() -> TextAreaField:
    return TextAreaField(
        _l("Guidelines"), validators=[Length(max=100_000)],
        render_kw={"rows": 16, "data-rich": True},
        description=_l("Tips, not bans: who speaks officially, what stays confidential, how to "
                       "show that you work here, where to report problems."))


class GuidelineForm(BaseForm):
    """A title and a text per language (`title_de`, `body_html_de`, ...); a language left
    empty has no text in this version (readers get the other one)."""

    title_de = _title()
    body_html_de = _body()
    title_en = _title()
    body_html_en = _body()
    submit = SubmitField(_l("Publish as a new version"))
    add_language = SubmitField(_l("Add the new language to the current version"))

    def filled(self, language: str) -> bool:
        return bool((self[f"title_{language}"].data or "").strip()
                    or (self[f"body_html_{language}"].data or "").strip())

    def texts(self) -> dict[str, GuidelineData]:
        """The languages filled in, with their words."""
        return {language: GuidelineData(self[f"title_{language}"].data or "",
                                   self[f"body_html_{language}"].data or "")
                for language in LANGUAGES if self.filled(language)}

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        for language in LANGUAGES:
            if not self.filled(language):
                continue
            for name in (f"title_{language}", f"body_html_{language}"):
                if not (self[name].data or "").strip():
                    self[name].errors = [*self[name].errors, _l(
                        "Give this language both a title and a text, or leave both empty.")]
                    valid = False
        if not any(self.filled(language) for language in LANGUAGES):
            first = self[f"title_{next(iter(LANGUAGES))}"]
            first.errors = [*first.errors, _l("Write the guidelines in at least one language.")]
            valid = False
        return valid

    def fill(self, texts: dict[str, Any]) -> None:
        """Start from a version's texts."""
        for language, text in texts.items():
            self[f"title_{language}"].data = text.title
            self[f"body_html_{language}"].data = text.body_html


class AcknowledgeForm(BaseForm):
    submit = SubmitField(_l("I have read these guidelines"))
