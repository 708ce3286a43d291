"""The form for registering or changing a newsroom feed."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from advocacy.feeds.services import FeedData
from advocacy.forms import BaseForm, HttpUrl
from advocacy.i18n import LANGUAGES

INTERVAL_CHOICES = [SelectChoice(15, _l("Every 15 minutes")), SelectChoice(60, _l("Every hour")),
                    SelectChoice(360, _l("Every 6 hours")), SelectChoice(1440, _l("Once a day"))]


class FeedForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)],
                       description=_l("For you, e.g. “Press releases”."))
    url = StringField(_l("Feed address"), validators=[DataRequired(), Length(max=2000),
                                                      HttpUrl()],
                      description=_l("The address of the RSS or Atom feed (not of the web "
                                     "page that lists the articles)."))
    trusted = BooleanField(
        _l("Trusted: publish new entries at once"),
        description=_l("Only for your own newsroom. Otherwise each entry becomes a draft "
                       "you check and approve."))
    language = SelectField(_l("Language of the entries"), validate_choice=True, choices=[
        SelectChoice(code, name) for code, name in LANGUAGES.items()])
    source_class = SelectField(_l("Source"), validate_choice=True, choices=[
        SelectChoice("own", _l("Our own content")),
        SelectChoice("external", _l("External source"))])
    topics = StringField(_l("Topics for its items (optional)"),
                         validators=[Optional(), Length(max=500)],
                         description=_l("Separated by commas."))
    interval_minutes = SelectField(_l("Check"), choices=INTERVAL_CHOICES, coerce=int,
                                   validate_choice=True, default=60)
    paused = BooleanField(_l("Paused"), description=_l("A paused feed is not checked."))
    submit = SubmitField(_l("Save"))

    def to_data(self) -> FeedData:
        return FeedData(name=self.name.data or "", url=self.url.data or "",
                        trusted=bool(self.trusted.data), paused=bool(self.paused.data),
                        language=self.language.data or "de",
                        source_class=self.source_class.data or "own",
                        topics=self.topics.data or "",
                        interval_minutes=int(self.interval_minutes.data or 60))
