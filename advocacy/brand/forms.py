"""The worksheet form, sharing with a coach, and one Social-CEO step."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from wtforms import (
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional

from advocacy.brand.guidance import DAILY, PROFILE_CHECKS, WEEKLY
from advocacy.brand.sheet import CONTENT_TYPES, GOALS, INTENTION_LABELS, SOURCES
from advocacy.content.services import normalize_hashtags
from advocacy.forms import BaseForm, MultiCheckboxField

PAIR_ROWS = 6
MAX_WEBSITES = 10


def _choices(labels: dict[str, Any]) -> list[SelectChoice]:
    return [SelectChoice(key, label) for key, label in labels.items()]


def _text(label: Any, rows: int = 3, max_length: int = 1000) -> TextAreaField:
    return TextAreaField(label, validators=[Optional(), Length(max=max_length)],
                         render_kw={"rows": rows})


def _number(label: Any, most: int) -> IntegerField:
    return IntegerField(label, validators=[Optional(), NumberRange(min=0, max=most)],
                        render_kw={"inputmode": "numeric", "min": 0, "max": most})


class PairForm(Form):
    """One topic and its hashtags (a sub-form: the outer form carries the CSRF token)."""

    topic = StringField(_l("Topic"), validators=[Optional(), Length(max=60)])
    hashtags = StringField(_l("Hashtags"), validators=[Optional(), Length(max=200)],
                           filters=[lambda v: normalize_hashtags(v) if v else v])

    def validate_hashtags(self, field: StringField) -> None:
        if field.data and not (self.topic.data or "").strip():
            raise ValidationError(_l("Name the topic these hashtags belong to."))


class WorksheetForm(BaseForm):
    topics_now = _text(_l("Which topics do you want to stand for, now and in the coming "
                          "years?"))
    strengths = _text(_l("What values and strengths from your past and current jobs set you "
                         "apart?"))
    career = _text(_l("Where is your career heading, and what will you start posting about?"))
    perception = _text(_l("How do you want to be seen from outside?"))
    personal = _text(_l("What are you willing to share about yourself?"))

    pairs = FieldList(FormField(PairForm), min_entries=PAIR_ROWS, max_entries=PAIR_ROWS)
    other_topics = StringField(_l("Other topics"), validators=[Optional(), Length(max=300)],
                               description=_l("Separated by commas."))
    interests = StringField(_l("Personal interests that go well with your work"),
                            validators=[Optional(), Length(max=300)],
                            description=_l("For example golf, gardening, mentoring."))

    audience_now = _text(_l("Who follows you today?"), 2, 500)
    audience_next = _text(_l("Whom do you want to reach next (topics, job roles, "
                             "industries)?"), 2, 500)

    content_types = MultiCheckboxField(_l("What you want to post"),
                                       choices=_choices(CONTENT_TYPES))
    sources = MultiCheckboxField(_l("Where your content comes from"),
                                 choices=_choices(SOURCES))
    websites = _text(_l("Relevant websites and links"), 3, 2200)

    educate = _number(INTENTION_LABELS["educate"], 100)
    inform = _number(INTENTION_LABELS["inform"], 100)
    inspire = _number(INTENTION_LABELS["inspire"], 100)
    entertain = _number(INTENTION_LABELS["entertain"], 100)
    style = _text(_l("What makes you recognisable"), 2, 500)

    goals = MultiCheckboxField(_l("Your goals"), choices=_choices(GOALS),
                               description=_l("The more goals, the more engagement they need."))

    daily_minutes = _number(_l("Minutes a day for community work"), 600)
    posts_per_week = _number(_l("Posts a week"), 50)
    minutes_per_post = _number(_l("Minutes per post"), 480)

    save = SubmitField(_l("Save"))

    def validate_websites(self, field: TextAreaField) -> None:
        lines = [line.strip() for line in (field.data or "").splitlines() if line.strip()]
        if len(lines) > MAX_WEBSITES:
            raise ValidationError(_l("At most %(num)d addresses, one per line.",
                                     num=MAX_WEBSITES))
        for number, line in enumerate(lines, start=1):
            parts = urlsplit(line)
            if parts.scheme not in ("http", "https") or not parts.netloc or len(line) > 200:
                raise ValidationError(_l(
                    "Line %(num)d is not a web address. Write one address per line, "
                    "starting with https://.", num=number))

    def validate_entertain(self, field: IntegerField) -> None:
        """Checked on the last of the four parts, so the message sits under the split."""
        parts = [self.educate.data, self.inform.data, self.inspire.data, field.data]
        if all(part in (None, 0) for part in parts):
            return  # not filled in yet: a draft may leave it open
        total = sum(part or 0 for part in parts)
        if total != 100:
            raise ValidationError(_l("The four parts add up to %(total)d %%; they must add "
                                     "up to 100 %%.", total=total))

    def to_data(self) -> dict[str, Any]:
        """The answers as stored: empty answers left out, hashtags normalised."""
        pairs = [{"topic": " ".join(p.topic.data.split()), "hashtags": p.hashtags.data or ""}
                 for p in (entry.form for entry in self.pairs.entries)
                 if (p.topic.data or "").strip()]
        intention = {key: getattr(self, key).data or 0 for key in INTENTION_LABELS}
        data: dict[str, Any] = {
            key: getattr(self, key).data for key in (
                "topics_now", "strengths", "career", "perception", "personal",
                "other_topics", "interests", "audience_now", "audience_next", "style",
                "content_types", "sources", "goals",
                "daily_minutes", "posts_per_week", "minutes_per_post")}
        data["pairs"] = pairs
        data["websites"] = [line.strip() for line in (self.websites.data or "").splitlines()
                            if line.strip()]
        data["intention"] = intention if sum(intention.values()) else {}
        return {key: value for key, value in data.items() if value not in (None, "", [], {})}

    def fill(self, data: dict[str, Any]) -> None:
        """Show stored answers (a GET)."""
        for key in ("topics_now", "strengths", "career", "perception", "personal",
                    "other_topics", "interests", "audience_now", "audience_next", "style",
                    "content_types", "sources", "goals",
                    "daily_minutes", "posts_per_week", "minutes_per_post"):
            getattr(self, key).data = data.get(key)
        for entry, pair in zip(self.pairs.entries, data.get("pairs", []), strict=False):
            entry.form.topic.data, entry.form.hashtags.data = pair["topic"], pair["hashtags"]
        self.websites.data = "\n".join(data.get("websites", []))
        for key in INTENTION_LABELS:
            getattr(self, key).data = data.get("intention", {}).get(key)


class CoachForm(BaseForm):
    coach_id = SelectField(_l("Coach from communications"), coerce=int)
    submit = SubmitField(_l("Share read-only"))


class CeoStepForm(BaseForm):
    answer = TextAreaField(validators=[Optional(), Length(max=2000)], render_kw={"rows": 6})
    back = SubmitField(_l("Back"))
    next = SubmitField(_l("Save and continue"))


class CompareForm(BaseForm):
    class Meta:
        csrf = False

    a = IntegerField(validators=[Optional()])
    b = IntegerField(validators=[Optional()])


class HelpersForm(BaseForm):
    """The coaching checklists; one checkbox group per network, and the two routines."""

    linkedin = MultiCheckboxField("LinkedIn", choices=_choices(PROFILE_CHECKS))
    xing = MultiCheckboxField("XING", choices=_choices(PROFILE_CHECKS))
    x = MultiCheckboxField("X", choices=_choices(PROFILE_CHECKS))
    mastodon = MultiCheckboxField("Mastodon", choices=_choices(PROFILE_CHECKS))
    bluesky = MultiCheckboxField("Bluesky", choices=_choices(PROFILE_CHECKS))
    daily = MultiCheckboxField(_l("Every day"), choices=_choices(DAILY))
    weekly = MultiCheckboxField(_l("Every week"), choices=_choices(WEEKLY))
    save = SubmitField(_l("Save ticks"))
