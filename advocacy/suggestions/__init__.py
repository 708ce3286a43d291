"""Employee suggestions: anyone suggests a link with a note, communications turns it into a
content item or declines it; its routes are in `views`, imported by `create_app`."""

from flask import Blueprint

bp = Blueprint("suggestions", __name__, url_prefix="/suggestions")
