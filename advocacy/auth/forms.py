from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, NumberRange, Optional

from advocacy.forms import BaseForm, NewPassword
from advocacy.i18n import LANGUAGES
from advocacy.providers.mastodon import normalize_instance


class LoginForm(BaseForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)],
                       render_kw={"autocomplete": "username", "autofocus": True})
    password = PasswordField(_l("Password"), validators=[DataRequired()],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Stay logged in on this device"))
    submit = SubmitField(_l("Log in"))


class ForgotPasswordForm(BaseForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)],
                       render_kw={"autocomplete": "username", "autofocus": True})
    submit = SubmitField(_l("Send me a link"))


class SetPasswordForm(BaseForm):
    password_owner_email = ""
    password = PasswordField(_l("New password"), validators=[DataRequired(), NewPassword()],
                             render_kw={"autocomplete": "new-password", "autofocus": True})
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Save password"))


class ChangePasswordForm(SetPasswordForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()],
                            render_kw={"autocomplete": "current-password"})
    submit = SubmitField(_l("Change password"))


class ProfileForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)],
                       render_kw={"autocomplete": "name"})
    language = SelectField(_l("Language"), choices=dict(LANGUAGES))
    content_languages = RadioField(_l("Content in my feed"), default="", choices=[
        SelectChoice("", _l("In my language")), SelectChoice("de", _l("German only")),
        SelectChoice("en", _l("English only")), SelectChoice("de,en", _l("German and English"))])
    mastodon_instance = StringField(
        _l("Your Mastodon server"), validators=[Optional(), Length(max=200)],
        description=_l("e.g. mastodon.social; the share button then opens your own server."))
    reported_followers = IntegerField(
        _l("Your followers on LinkedIn"), validators=[
            Optional(), NumberRange(min=0, max=100_000_000,
                                    message=_l("Enter a number from 0 upwards."))],
        description=_l("LinkedIn does not tell apps, so the reports count what you enter "
                       "here as self-reported reach. Leave it empty if you prefer."))
    leaderboard_opt_in = BooleanField(
        _l("Show my name on leaderboards"),
        description=_l("Off by default. Otherwise you appear as “a colleague”, or not at all."))
    digest = RadioField(_l("E-mail digest"), default="weekly", choices=[
        SelectChoice("weekly", _l("Weekly, on Monday morning")),
        SelectChoice("daily", _l("Daily, in the morning")), SelectChoice("none", _l("None"))],
        description=_l("New items for you and your numbers, only when there is something "
                       "new."))
    submit = SubmitField(_l("Save"))

    def validate_mastodon_instance(self, field: StringField) -> None:
        if field.data and normalize_instance(field.data) is None:
            raise ValidationError(_l("Enter the server's address, e.g. mastodon.social."))
