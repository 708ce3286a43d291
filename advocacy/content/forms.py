from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    FieldList,
    Form,
    FormField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from advocacy.forms import BaseForm, HttpUrl, MultiCheckboxField
from advocacy.i18n import LANGUAGES

SOURCE_CHOICES = [SelectChoice("external", _l("External source")),
                  SelectChoice("own", _l("Our own content")),
                  SelectChoice("personal", _l("Personal"))]
INTENTION_CHOICES = [SelectChoice("educate", _l("Educate")), SelectChoice("inform", _l("Inform")),
                     SelectChoice("inspire", _l("Inspire")),
                     SelectChoice("entertain", _l("Entertain"))]


class ShareTextForm(Form):
    """One suggested text (a sub-form: the outer form carries the CSRF token)."""

    text = TextAreaField(_l("Suggested text"), validators=[Optional(), Length(max=5000)],
                         render_kw={"rows": 4, "data-budget": True})
    network = SelectField(_l("For"), validate_choice=True)
    tier_id = SelectField(_l("Tier"), coerce=int, validate_choice=True)


class ItemForm(BaseForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    url = StringField(_l("Link"), validators=[DataRequired(), Length(max=2000), HttpUrl()],
                      description=_l("The page employees share. Tracking parameters are added "
                                     "to it automatically."))
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=1000)],
                            render_kw={"rows": 3})
    body_html = TextAreaField(
        _l("Background for employees"), validators=[Optional(), Length(max=50_000)],
        render_kw={"rows": 6, "data-rich": True},
        description=_l("Shown in the share sheet; bold, italics, lists and links are kept."))
    image = FileField(_l("Key image"), validators=[
        FileAllowed(["jpg", "jpeg", "png", "webp"], _l("Upload a JPEG, PNG or WebP image."))])
    remove_image = BooleanField(_l("Remove the current image"))
    image_alt = StringField(_l("Image description (alt text)"),
                            validators=[Optional(), Length(max=300)])
    image_licence = StringField(
        _l("Image licence"), validators=[Optional(), Length(max=300)],
        description=_l("Stock licences often exclude social media; people shown must have "
                       "agreed."))
    image_credit = StringField(_l("Image credit"), validators=[Optional(), Length(max=300)])
    image_licence_ends_on = DateField(_l("Licence ends on"), validators=[Optional()],
                                      description=_l("The item is withdrawn on that day."))
    topics = StringField(_l("Topics"), validators=[Optional(), Length(max=500)],
                         description=_l("Separate with commas, e.g. Cloud, Careers."))
    hashtags = StringField(_l("Hashtags"), validators=[Optional(), Length(max=500)],
                           description=_l("e.g. #Cloud #KI"))
    language = SelectField(_l("Language"), choices=dict(LANGUAGES))
    source_class = RadioField(_l("Source (5-3-2 rule)"), choices=SOURCE_CHOICES, default="own")
    intention = RadioField(_l("Intention"), choices=INTENTION_CHOICES, default="inform")
    campaign_id = SelectField(_l("Campaign"), coerce=int)
    tier_ids = MultiCheckboxField(_l("Tiers"), coerce=int,
                                  description=_l("None chosen: every tier."))
    group_ids = MultiCheckboxField(_l("Groups"), coerce=int,
                                   description=_l("None chosen: everyone."))
    publish_at = DateTimeLocalField(_l("Publish at"), validators=[Optional()],
                                    format="%Y-%m-%dT%H:%M",
                                    description=_l("Empty: as soon as it is approved."))
    expire_at = DateTimeLocalField(_l("Expires at"), validators=[Optional()],
                                   format="%Y-%m-%dT%H:%M")
    suggested_post_at = DateTimeLocalField(
        _l("Suggested time to post"), validators=[Optional()], format="%Y-%m-%dT%H:%M",
        description=_l("Offered to people who schedule their share."))
    is_pinned = BooleanField(_l("Pin to the top of the feed"))
    texts = FieldList(FormField(ShareTextForm), min_entries=3)
    save = SubmitField(_l("Save draft"))
    save_and_submit = SubmitField(_l("Save and submit for review"))

    def validate_expire_at(self, field: DateTimeLocalField) -> None:
        if field.data and self.publish_at.data and field.data <= self.publish_at.data:
            raise ValidationError(_l("The expiry must come after the publication time."))

    def validate_suggested_post_at(self, field: DateTimeLocalField) -> None:
        # A suggestion outside the item's live window would schedule posts that are then
        # cancelled as withdrawn (or wait for an item nobody can see yet).
        if field.data and self.publish_at.data and field.data < self.publish_at.data:
            raise ValidationError(_l("Suggest a time after the publication time."))
        if field.data and self.expire_at.data and field.data >= self.expire_at.data:
            raise ValidationError(_l("Suggest a time before the expiry."))

    def validate_texts(self, field: FieldList) -> None:
        if not any((entry.form.text.data or "").strip() for entry in field.entries):
            raise ValidationError(_l("Write at least one suggested text."))


def to_utc(value: dt.datetime | None, timezone: str) -> dt.datetime | None:
    """A time typed in the company's time zone, as UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=ZoneInfo(timezone)).astimezone(dt.UTC)


def to_local(value: dt.datetime | None, timezone: str) -> dt.datetime | None:
    if value is None:
        return None
    return value.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)


class CampaignForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    goal = TextAreaField(_l("Goal"), validators=[Optional(), Length(max=2000)],
                         render_kw={"rows": 3},
                         description=_l("What should the campaign achieve, and how will you "
                                        "know?"))
    starts_on = DateField(_l("Starts on"), validators=[DataRequired()])
    ends_on = DateField(_l("Ends on"), validators=[Optional()])
    submit = SubmitField(_l("Save campaign"))


class ContentFilterForm(BaseForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
    state = SelectField(_l("State"), validators=[Optional()])
    campaign = SelectField(_l("Campaign"), coerce=int, validators=[Optional()])
    topic = SelectField(_l("Topic"), coerce=int, validators=[Optional()])


class WorkflowForm(BaseForm):
    """The workflow buttons carry only the CSRF token."""
