"""Forms of the employee's own pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from advocacy.forms import BaseForm
from advocacy.me.erasure import REASON_MAX


class DeletionRequestForm(BaseForm):
    reason = TextAreaField(_l("Reason (optional)"),
                           validators=[Optional(), Length(max=REASON_MAX)],
                           description=_l("Only the admins read it; it is removed with your "
                                          "data."))
    understood = BooleanField(
        _l("I understand that my account will be closed and my data cannot be restored."),
        validators=[DataRequired(message=_l("Please confirm that you understand what "
                                            "deletion means."))])
    submit = SubmitField(_l("Ask for deletion"))
