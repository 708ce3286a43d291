from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Regexp

from advocacy.forms import BaseForm


def _optional_int(value: object) -> int | None:
    return int(value) if value not in (None, "", "None") else None  # type: ignore[arg-type]


class RuleForm(BaseForm):
    claim = StringField(
        _l("Claim"), validators=[DataRequired(), Length(max=100), Regexp(
            r"^[A-Za-z0-9_:/.\-]+$", message=_l("A claim name has no spaces."))],
        description=_l("As the provider names it, e.g. groups, email, department or, for "
                       "a nested claim, realm_access.roles."))
    kind = RadioField(_l("Matches when"), default="contains", choices=[
        SelectChoice("contains", _l("it contains the value (a list such as groups has it "
                                    "as an entry; a text contains it)")),
        SelectChoice("equals", _l("it equals the value (for a list: one entry equals it)"))])
    value = StringField(_l("Value"), validators=[DataRequired(), Length(max=255)],
                        description=_l("Case does not matter. Entra ID sends groups as ids, "
                                       "e.g. 5f0c…; Okta and Keycloak send their names."))
    group_id = SelectField(_l("Then add to the group"), coerce=_optional_int)
    tier_id = SelectField(_l("Then set the tier"), coerce=_optional_int)
    submit = SubmitField(_l("Save rule"))

    def validate(self, extra_validators=None) -> bool:  # type: ignore[no-untyped-def]
        if not super().validate(extra_validators):
            return False
        if self.group_id.data is None and self.tier_id.data is None:
            self.group_id.errors = [_l("Choose a group, a tier or both.")]
            return False
        return True
