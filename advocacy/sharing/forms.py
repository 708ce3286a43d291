from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, RadioField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from advocacy.forms import BaseForm


class ShareForm(BaseForm):
    network = RadioField(_l("Where"), validators=[DataRequired(
        message=_l("Choose where to share."))])
    text = TextAreaField(_l("Your text"), validators=[
        DataRequired(message=_l("Write a few words to go with the link.")), Length(max=5000)],
        render_kw={"rows": 6})
    share_text_id = HiddenField()
    acknowledge_guidelines = BooleanField(_l("I have read the social-media guidelines."))
    submit = SubmitField(_l("Post"))


class FeedFilterForm(BaseForm):
    class Meta:
        csrf = False

    topic = RadioField(_l("Topic"), coerce=int, validators=[Optional()])
