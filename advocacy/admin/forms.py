from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DecimalField, IntegerField, RadioField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)

from advocacy.forms import BaseForm, HttpUrl, MultiCheckboxField
from advocacy.providers.registry import NETWORKS


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


class ReportSettingsForm(BaseForm):
    """Works-council mode, click retention, and the earned-media-value rates per network
    (fields `cpm_<network>` and `cpc_<network>`, added below for every network)."""

    works_council_mode = BooleanField(
        _l("Works-council mode"),
        description=_l("HR sees no individual figures; no figure about fewer people than the "
                       "minimum group size is shown; communications sees individual figures "
                       "only of people who joined the leaderboard."))
    min_group_size = IntegerField(
        _l("Minimum group size"), validators=[InputRequired(), NumberRange(min=3, max=50)],
        description=_l("Figures about fewer people than this are shown as “fewer than …”."))
    click_retention_months = IntegerField(
        _l("Keep single clicks for (months)"),
        validators=[InputRequired(), NumberRange(min=1, max=60)],
        description=_l("Older clicks are kept only as daily totals; reports are not affected."))
    individual_reports = BooleanField(
        _l("Individual figures in reports"),
        description=_l("Off: reports show no person's own figures at all, not even of people "
                       "who joined the leaderboard."))
    submit = SubmitField(_l("Save report settings"))


def _add_rate_fields() -> None:
    for key in NETWORKS:
        for kind, label in (("cpm", _l("CPM (per 1,000 impressions)")),
                            ("cpc", _l("CPC (per click)"))):
            setattr(ReportSettingsForm, f"{kind}_{key}", DecimalField(
                label, places=2, validators=[Optional(), NumberRange(min=0, max=100000)]))


_add_rate_fields()


class LockForm(BaseForm):
    """Which settings the works agreement fixes (see advocacy.admin.agreement)."""

    locked = MultiCheckboxField(_l("Settings fixed by the works agreement"))
    submit = SubmitField(_l("Save locks"))
