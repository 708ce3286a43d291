from __future__ import annotations

from wtforms import HiddenField, SelectField

from advocacy.forms import BaseForm
from advocacy.i18n import LANGUAGES


class LanguageForm(BaseForm):
    language = SelectField(choices=dict(LANGUAGES))
    next = HiddenField()
