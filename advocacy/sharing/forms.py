from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    DecimalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from advocacy.forms import BaseForm, MultiCheckboxField


class ShareForm(BaseForm):
    text = TextAreaField(_l("Your text"), validators=[
        DataRequired(message=_l("Write a few words to go with the link.")), Length(max=5000)],
        render_kw={"rows": 6})
    share_text_id = HiddenField()
    accounts = MultiCheckboxField(_l("Post from"), coerce=int, validators=[Optional()])
    post_at = DateTimeLocalField(_l("Post later"), validators=[Optional()],
                                 format="%Y-%m-%dT%H:%M",
                                 description=_l("Empty: now. Up to 31 days ahead."))
    network = RadioField(_l("Or open a network's share page"), validators=[Optional()])
    acknowledge_guidelines = BooleanField(_l("I have read the social-media guidelines."))
    post = SubmitField(_l("Post"))
    open = SubmitField(_l("Open share page"))


class FeedFilterForm(BaseForm):
    class Meta:
        csrf = False

    topic = RadioField(_l("Topic"), coerce=int, validators=[Optional()])


class PostActionForm(BaseForm):
    """Retry, cancel, delete: buttons that carry only the CSRF token."""


class PauseForm(BaseForm):
    reason = TextAreaField(_l("Why"), validators=[DataRequired(), Length(max=500)],
                           render_kw={"rows": 3},
                           description=_l("Everyone who can resume posting sees this."))
    submit = SubmitField(_l("Pause all posting"))


class ResumeForm(BaseForm):
    confirm = BooleanField(_l("Yes, the situation is resolved: send queued and scheduled "
                              "posts again."), validators=[DataRequired(
                                  message=_l("Confirm that posting may resume."))])
    submit = SubmitField(_l("Resume posting"))


class BudgetForm(BaseForm):
    """An admin's monthly budget for posting by API on a network that bills per post."""

    monthly_posts = IntegerField(
        _l("Posts a month"), validators=[Optional(), NumberRange(
            min=0, max=1_000_000, message=_l("Enter a number of posts from 0 to 1,000,000."))],
        description=_l("Empty: no limit by number."))
    monthly_amount = DecimalField(
        _l("Amount a month"), places=2, validators=[Optional(), NumberRange(
            min=0, max=1_000_000, message=_l("Enter an amount from 0 to 1,000,000."))],
        description=_l("Empty: no limit by amount."))
    submit = SubmitField(_l("Save budget"))


class DraftForm(BaseForm):
    """Communications prepares a post for an executive."""

    executive_id = SelectField(_l("For"), coerce=int)
    network = SelectField(_l("Network"))
    text = TextAreaField(_l("Text"), validators=[DataRequired(), Length(max=5000)],
                         render_kw={"rows": 6})
    post_at = DateTimeLocalField(_l("Suggested time"), validators=[Optional()],
                                 format="%Y-%m-%dT%H:%M")
    note = TextAreaField(_l("Note for the executive"), validators=[Optional(), Length(max=1000)],
                         render_kw={"rows": 2})
    submit = SubmitField(_l("Send for approval"))


class ReviewForm(BaseForm):
    """The executive's own version and decision."""

    text = TextAreaField(_l("Your text"), validators=[DataRequired(), Length(max=5000)],
                         render_kw={"rows": 6})
    network = SelectField(_l("Network"))
    post_at = DateTimeLocalField(_l("Post at"), validators=[Optional()],
                                 format="%Y-%m-%dT%H:%M", description=_l("Empty: now."))
    acknowledge_guidelines = BooleanField(_l("I have read the social-media guidelines."))
    approve = SubmitField(_l("Approve and post"))
    decline = SubmitField(_l("Decline"))
