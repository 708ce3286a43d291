"""In-app notifications: badges earned, suggestions decided; its routes are in `views`,
imported by `create_app`."""

from flask import Blueprint

bp = Blueprint("notifications", __name__, url_prefix="/notifications")
