"""Forms of the suggestion pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from advocacy.forms import BaseForm
from advocacy.suggestions.services import NOTE_MAX


class SuggestionForm(BaseForm):
    url = StringField(_l("Link"), validators=[DataRequired(), Length(max=2000)],
                      description=_l("The address of the page, e.g. an article about us."))
    note = TextAreaField(_l("Note for communications (optional)"),
                         validators=[Optional(), Length(max=NOTE_MAX)],
                         description=_l("Why it is worth sharing, or who it is for."))
    submit = SubmitField(_l("Suggest"))


class DeclineSuggestionForm(BaseForm):
    reason = TextAreaField(_l("Why not"), validators=[DataRequired(), Length(max=1000)],
                           description=_l("Sent to the colleague by e-mail."))
    submit = SubmitField(_l("Decline"))
