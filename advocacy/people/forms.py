from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional

from advocacy.forms import BaseForm, MultiCheckboxField
from advocacy.i18n import LANGUAGES


class PersonForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    language = SelectField(_l("Language"), choices=dict(LANGUAGES))
    tier_id = SelectField(_l("Tier"), coerce=int)
    roles = MultiCheckboxField(_l("Roles"), validators=[DataRequired(
        message=_l("Choose at least one role."))])
    group_ids = MultiCheckboxField(_l("Groups"), coerce=int)
    is_active = BooleanField(_l("Active (can log in)"), default=True)
    send_invitation = BooleanField(_l("Send an invitation e-mail now"), default=True)
    submit = SubmitField(_l("Save"))


class PeopleFilterForm(BaseForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
    tier = SelectField(_l("Tier"), coerce=int, validators=[Optional()])
    group = SelectField(_l("Group"), coerce=int, validators=[Optional()])
    role = SelectField(_l("Role"), validators=[Optional()])
    active = SelectField(_l("Status"), validators=[Optional()])


class ImportUploadForm(BaseForm):
    file = FileField(_l("CSV file"), validators=[
        FileRequired(message=_l("Choose a CSV file to upload.")),
        FileAllowed(["csv", "txt"], message=_l("Upload a .csv file.")),
    ])
    submit = SubmitField(_l("Check the file"))


class ImportConfirmForm(BaseForm):
    payload = HiddenField(validators=[DataRequired()])
    filename = HiddenField()
    send_invitations = BooleanField(_l("Send invitation e-mails to the new people"))
    submit = SubmitField(_l("Import now"))


class GroupForm(BaseForm):
    kind = SelectField(_l("Kind"))
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    submit = SubmitField(_l("Save"))


class TierForm(BaseForm):
    name = StringField(_l("Name"), validators=[Optional(), Length(max=80)],
                       description=_l("Leave empty to use the built-in name."))
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=1000)],
                                description=_l("Leave empty to use the built-in description."))
    submit = SubmitField(_l("Save"))


class GroupDeleteForm(BaseForm):
    """What happens to what uses a group being deleted (see advocacy.group_removal)."""

    choice = RadioField(_l("What happens to them"), choices=[
        SelectChoice("end", _l("End it: take items aimed only at this group off the feed, "
                               "end running challenges now, delete the sign-on rules")),
        SelectChoice("move", _l("Move it to another group"))], default="end")
    move_to = SelectField(_l("Group that takes over"), coerce=int, default=0,
                          validate_choice=False)  # checked by the service
    submit = SubmitField(_l("Delete group"))


class ConfirmForm(BaseForm):
    """A one-button form: its only job is to carry the CSRF token."""

    submit = SubmitField(_l("Confirm"))


class DeclineDeletionForm(BaseForm):
    answer = TextAreaField(_l("Why the data are kept"),
                           validators=[DataRequired(), Length(max=2000)],
                           description=_l("Sent to the person by e-mail."))
    submit = SubmitField(_l("Decline"))
