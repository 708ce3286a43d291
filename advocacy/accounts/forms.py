from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from advocacy.forms import BaseForm


class MastodonConnectForm(BaseForm):
    server = StringField(_l("Your Mastodon server"), validators=[DataRequired(), Length(max=200)],
                         description=_l("e.g. mastodon.social"))
    submit = SubmitField(_l("Connect Mastodon"))


class BlueskyConnectForm(BaseForm):
    server = StringField(_l("Server"), validators=[DataRequired(), Length(max=200)],
                         description=_l("Leave as it is unless you run your own server."))
    handle = StringField(_l("Handle"), validators=[DataRequired(), Length(max=200)],
                         description=_l("e.g. name.bsky.social"))
    app_password = PasswordField(
        _l("App password"), validators=[DataRequired(), Length(max=100)],
        description=_l("Create one in Bluesky under Settings → Privacy and security → App "
                       "passwords. It can post for you but cannot change your account; you "
                       "can revoke it there at any time."))
    submit = SubmitField(_l("Connect Bluesky"))
