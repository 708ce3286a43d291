"""The reach report's choices, read from the query string (GET, so a report has a link)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, ValidationError

from advocacy.forms import BaseForm
from advocacy.reports.periods import LONGEST


def _optional_int(value: object) -> int | None:
    return int(value) if value not in (None, "", "None") else None  # type: ignore[call-overload]


class ReachForm(BaseForm):
    class Meta:
        csrf = False  # a GET form that changes nothing

    period = SelectField(_l("Period"), default="quarter", choices=[
        SelectChoice("week", _l("Week")), SelectChoice("month", _l("Month")),
        SelectChoice("quarter", _l("Quarter")), SelectChoice("custom", _l("Chosen days"))])
    day = DateField(_l("Containing the day"), validators=[Optional()])
    first = DateField(_l("From"), validators=[Optional()])
    last = DateField(_l("To"), validators=[Optional()])
    tier = SelectField(_l("Tier"), coerce=_optional_int, validators=[Optional()])
    group = SelectField(_l("Group"), coerce=_optional_int, validators=[Optional()])
    network = SelectField(_l("Network"), validators=[Optional()])
    campaign = SelectField(_l("Campaign"), coerce=_optional_int, validators=[Optional()])
    by = SelectField(_l("Table by"), default="tier", choices=[
        SelectChoice("tier", _l("Tier")), SelectChoice("group", _l("Group")),
        SelectChoice("network", _l("Network")), SelectChoice("campaign", _l("Campaign"))])

    def validate_first(self, field: DateField) -> None:
        if self.period.data != "custom":
            return
        if field.data is None or self.last.data is None:
            raise ValidationError(_l("Choose the first and the last day."))
        if self.last.data < field.data:
            raise ValidationError(_l("The last day comes before the first."))
        if self.last.data - field.data > LONGEST:
            raise ValidationError(_l("Choose at most two years."))
