"""The content area; its routes are in `views`, imported by `create_app`."""

from flask import Blueprint

bp = Blueprint("content", __name__, url_prefix="/content")
