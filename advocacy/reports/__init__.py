"""The reports area; its routes are in `views`, imported by `create_app`."""

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports")
