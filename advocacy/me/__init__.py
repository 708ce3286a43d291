"""The employee's own view: their numbers, what the platform stores about them, and their
data as JSON. Its routes are in `views`, imported by `create_app`."""

from flask import Blueprint

bp = Blueprint("me", __name__, url_prefix="/me")
