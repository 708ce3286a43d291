"""The governance area (guidelines); its routes are in `views`, imported by `create_app`."""

from flask import Blueprint

bp = Blueprint("governance", __name__)
