"""The engagement area (points, leaderboards); its routes are in `views`."""

from flask import Blueprint

bp = Blueprint("engagement", __name__)
