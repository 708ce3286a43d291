from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, SubmitField
from wtforms.validators import InputRequired, NumberRange, Optional

from advocacy.forms import BaseForm


def _points(label: object) -> IntegerField:
    return IntegerField(label, validators=[InputRequired(), NumberRange(min=0, max=1000)])


class PointRulesForm(BaseForm):
    points_share = _points(_l("Sharing an item"))
    points_first_share = _points(_l("Bonus for the first share ever"))
    points_unique_click = _points(_l("Each visitor who opens a shared link (once a day)"))
    points_guidelines_ack = _points(_l("Confirming the guidelines"))
    points_worksheet = _points(_l("Completing the personal-brand worksheet (once; never for "
                                  "what it says)"))
    points_suggestion = _points(_l("A suggested link that communications published"))
    points_daily_cap = IntegerField(
        _l("Most points per person and day"),
        validators=[InputRequired(), NumberRange(min=1, max=100_000)],
        description=_l("Keeps the game friendly: nobody can race ahead in a single day."))
    submit = SubmitField(_l("Save rules"))


class BoardFilterForm(BaseForm):
    class Meta:
        csrf = False

    period = SelectField(_l("Period"), validators=[Optional()])
    tier = SelectField(_l("Tier"), coerce=int, validators=[Optional()])
    group = SelectField(_l("Group"), coerce=int, validators=[Optional()])
