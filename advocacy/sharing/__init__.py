"""The sharing area (feed, share sheet, tracked links); routes in `views`."""

from flask import Blueprint

bp = Blueprint("sharing", __name__)
