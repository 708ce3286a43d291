"""The form communications writes a challenge with."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from advocacy.challenges.services import ChallengeData
from advocacy.forms import BaseForm, MultiCheckboxField


class ChallengeForm(BaseForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=120)],
                        description=_l("E.g. “Energy week: who shares the most?”"))
    description = TextAreaField(_l("What it is about (optional)"),
                                validators=[Optional(), Length(max=2000)],
                                render_kw={"rows": 3})
    kind = RadioField(_l("Who competes"), default="individual", choices=[
        SelectChoice("individual", _l("Everyone for themselves")),
        SelectChoice("team", _l("Teams: groups, by their average per active member"))])
    metric = SelectField(_l("What counts"), default="shares", validate_choice=True, choices=[
        SelectChoice("shares", _l("Shares")), SelectChoice("clicks", _l("Clicks on shared links"))])
    campaign_id = SelectField(_l("Only for the campaign"), coerce=int, validate_choice=True)
    starts_on = DateField(_l("First day"), validators=[InputRequired()])
    ends_on = DateField(_l("Last day"), validators=[InputRequired()])
    minimum = IntegerField(_l("Minimum to place"), default=1,
                           validators=[InputRequired(), NumberRange(min=1, max=100_000)],
                           description=_l("A result below this wins nothing (for teams: the "
                                          "average per member)."))
    winners = IntegerField(_l("Places that win"), default=3,
                           validators=[InputRequired(), NumberRange(min=1, max=10)])
    bonus_points = IntegerField(_l("Bonus points per winner"), default=50,
                                validators=[InputRequired(), NumberRange(min=0, max=1000)],
                                description=_l("For a team place: each of its active "
                                               "members."))
    group_ids = MultiCheckboxField(_l("Teams (groups)"), coerce=int,
                                   description=_l("For team challenges: at least two."))
    submit = SubmitField(_l("Save"))

    def validate_ends_on(self, field: DateField) -> None:
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The last day cannot be before the first."))

    def validate_group_ids(self, field: MultiCheckboxField) -> None:
        if self.kind.data == "team" and len(field.data or []) < 2:
            raise ValidationError(_l("A team challenge needs at least two groups."))

    def to_data(self) -> ChallengeData:
        assert self.starts_on.data is not None and self.ends_on.data is not None
        return ChallengeData(
            title=self.title.data or "", description=self.description.data or "",
            kind=self.kind.data or "individual", metric=self.metric.data or "shares",
            campaign_id=self.campaign_id.data or None, starts_on=self.starts_on.data,
            ends_on=self.ends_on.data, minimum=int(self.minimum.data or 1),
            winners=int(self.winners.data or 1), bonus_points=int(self.bonus_points.data or 0),
            group_ids=set(self.group_ids.data or []))
