from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from advocacy.forms import BaseForm


class GuidelineForm(BaseForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    body_html = TextAreaField(
        _l("Guidelines"), validators=[DataRequired(), Length(max=100_000)],
        render_kw={"rows": 16, "data-rich": True},
        description=_l("Tips, not bans: who speaks officially, what stays confidential, how to "
                       "show that you work here, where to report problems."))
    submit = SubmitField(_l("Publish as a new version"))


class AcknowledgeForm(BaseForm):
    submit = SubmitField(_l("I have read these guidelines"))
