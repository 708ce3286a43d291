"""The personal-brand area: each employee's worksheet, its history, sharing it with a coach,
the Social-CEO questions for tier 1; its routes are in `views`, imported by `create_app`."""

from flask import Blueprint

bp = Blueprint("brand", __name__, url_prefix="/brand")
