"""Forms of the reward pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, IntegerField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from advocacy.forms import BaseForm
from advocacy.rewards.services import RewardData


class RedeemForm(BaseForm):
    nonce = HiddenField(validators=[DataRequired(), Length(max=32)])
    submit = SubmitField(_l("Redeem"))


class OfferForm(BaseForm):
    rewards_enabled = BooleanField(
        _l("Offer rewards"),
        description=_l("Employees can exchange points for the rewards below. Their lifetime "
                       "points, levels and leaderboards stay as they are."))
    submit = SubmitField(_l("Save"))


class RewardForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)],
                       description=_l("E.g. “Company hoodie” or “€10 donation to a charity "
                                      "of your choice”."))
    description = TextAreaField(_l("Description (optional)"),
                                validators=[Optional(), Length(max=2000)],
                                render_kw={"rows": 3})
    price = IntegerField(_l("Price in points"),
                         validators=[InputRequired(), NumberRange(min=1, max=1_000_000)])
    stock = IntegerField(_l("How many are available (optional)"),
                         validators=[Optional(), NumberRange(min=0, max=1_000_000)],
                         description=_l("Empty: no limit."))
    active = BooleanField(_l("Offered"), default=True)
    submit = SubmitField(_l("Save reward"))

    def to_data(self) -> RewardData:
        return RewardData(name=self.name.data or "", price=int(self.price.data or 1),
                          description=self.description.data or "", stock=self.stock.data,
                          active=bool(self.active.data))


class DeclineRedemptionForm(BaseForm):
    reason = TextAreaField(_l("Why not"), validators=[DataRequired(), Length(max=1000)],
                           description=_l("The colleague sees it; the points go back."))
    submit = SubmitField(_l("Decline"))
