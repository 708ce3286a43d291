"""The people area; its routes are in `views`, imported by `create_app`."""

from flask import Blueprint

bp = Blueprint("people", __name__, url_prefix="/admin")
