"""Forms of the training pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from advocacy.forms import BaseForm
from advocacy.training.services import ModuleData

QUIZ_EXAMPLE = _l("Who may see a post set to “public”?\n- Only my contacts\n* Anyone\n\n"
                  "What do you do with a customer complaint in the comments?\n"
                  "* Pass it to the service team\n- Answer it with details of the case")


class ModuleForm(BaseForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    summary = StringField(_l("In one sentence"), validators=[Optional(), Length(max=500)])
    body_html = TextAreaField(_l("Text"), validators=[Optional(), Length(max=50_000)],
                              render_kw={"rows": 10, "data-rich": True},
                              description=_l("Bold, italics, lists and links are kept."))
    quiz = TextAreaField(
        _l("Quiz"), validators=[Optional(), Length(max=20_000)],
        render_kw={"rows": 10, "placeholder": QUIZ_EXAMPLE},
        description=_l("One question per block, blocks separated by an empty line: the "
                       "question, then each answer on its own line, “*” before the right one "
                       "and “-” before the others. All answers right passes."))
    published = BooleanField(_l("Published"),
                             description=_l("Employees see published modules only."))
    submit = SubmitField(_l("Save"))

    def to_data(self) -> ModuleData:
        return ModuleData(title=self.title.data or "", summary=self.summary.data or "",
                          body_html=self.body_html.data or "",
                          published=bool(self.published.data), quiz=self.quiz.data or "")


class RequirementForm(BaseForm):
    requirement = SelectField(_l("Required"), validate_choice=True, choices=[
        SelectChoice("none", _l("Not required")),
        SelectChoice("first_share", _l("Before one's first share")),
        SelectChoice("tier2", _l("Before joining tier 2"))])
    submit = SubmitField(_l("Save requirement"))
