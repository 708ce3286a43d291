"""The auth area; its routes are in `views`, imported by `create_app`."""

from flask import Blueprint

bp = Blueprint("auth", __name__)
