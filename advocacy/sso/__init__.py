"""Single sign-on with OpenID Connect: the login button's flow, just-in-time accounts, and
the admin-defined rules that turn a provider's claims into groups and a tier; its routes
are in `views`, imported by `create_app`."""

from flask import Blueprint

bp = Blueprint("sso", __name__)
