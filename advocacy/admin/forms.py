from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, RadioField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)

from advocacy.forms import BaseForm, HttpUrl


class SettingsForm(BaseForm):
    programme_name = StringField(
        _l("Programme name"), validators=[DataRequired(), Length(max=80)],
        description=_l("Shown in the header, in e-mails and on the login page."))
    company_name = StringField(
        _l("Company name"), validators=[DataRequired(), Length(max=120)])
    legal_notice_url = StringField(
        _l("Legal notice (Impressum) link"), validators=[Optional(), Length(max=500), HttpUrl()])
    privacy_notice_url = StringField(
        _l("Privacy notice link"), validators=[Optional(), Length(max=500), HttpUrl()])
    disclosure_line_de = StringField(
        _l("Disclosure line for German posts"), validators=[DataRequired(), Length(max=120)],
        description=_l("Added to every share so readers see the relationship to the company. "
                       "{company} is replaced by the company name."))
    disclosure_line_en = StringField(
        _l("Disclosure line for English posts"), validators=[DataRequired(), Length(max=120)])
    four_eyes = BooleanField(
        _l("Four-eyes principle: a second communications person approves each item"))
    utm_medium = StringField(
        _l("UTM medium of tracked links"), validators=[
            DataRequired(), Length(max=60),
            Regexp(r"^[A-Za-z0-9_.-]+$", message=_l("Use letters, digits, - _ and . only."))],
        description=_l("Appears as utm_medium in your web analytics."))
    stagger_minutes = IntegerField(
        _l("Minutes between colleagues' posts of the same item"),
        validators=[InputRequired(), NumberRange(min=0, max=240)],
        description=_l("Posts by API are spread this far apart so colleagues do not post the "
                       "same item in the same minute. 0 switches it off."))
    leaderboard_others = RadioField(
        _l("On leaderboards, people who did not opt in are"),
        choices=[SelectChoice("anonymous", _l("shown as “a colleague”")),
                 SelectChoice("hidden", _l("left out"))])
    submit = SubmitField(_l("Save settings"))
