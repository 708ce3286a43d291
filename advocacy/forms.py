"""Shared form pieces: the base class and validators used across areas."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, Form, SelectMultipleField, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from advocacy.security import password_problems


class BaseForm(FlaskForm):
    """CSRF comes from Flask-WTF; surrounding whitespace is stripped from every text."""

    class Meta:
        def bind_field(self, form: Form, unbound_field, options):  # type: ignore[no-untyped-def]
            filters = unbound_field.kwargs.get("filters", ())
            if unbound_field.field_class.__name__ in {"StringField", "TextAreaField",
                                                       "EmailField", "URLField"}:
                filters = (_strip, *filters)
            return unbound_field.bind(form=form, filters=filters, **options)


class ActionForm(BaseForm):
    """A button that carries only the CSRF token (connect, disconnect, withdraw)."""


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


class NewPassword:
    """The password rules of `advocacy.security.password_problems`, as a field validator.

    The form must carry `password_owner_email` so the rule against using one's own address
    can be checked.
    """

    def __call__(self, form: Form, field: Field) -> None:
        problems = password_problems(
            field.data or "",
            getattr(form, "password_owner_email", ""),
            current_app.config["PASSWORD_MIN_LENGTH"],
        )
        if problems:
            raise ValidationError(" ".join(problems))


class HttpUrl:
    """An absolute http(s) address, or nothing when the field is optional."""

    message = _l("Enter a full web address starting with https:// (or http://).")

    def __call__(self, form: Form, field: Field) -> None:
        if not field.data:
            return
        parts = urlsplit(field.data)
        if parts.scheme not in {"http", "https"} or not parts.netloc or " " in field.data:
            raise ValidationError(str(self.message))


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
