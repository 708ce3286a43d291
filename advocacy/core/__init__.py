"""The core area; its routes are in `views`, imported by `create_app`."""

from flask import Blueprint

bp = Blueprint("core", __name__)
