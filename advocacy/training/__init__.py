"""Training: short modules (text and a few quiz questions) communications publishes; an
admin can require one before someone joins tier 2 or shares for the first time (a "social
media driving licence"); its routes are in `views`, imported by `create_app`."""

from flask import Blueprint

bp = Blueprint("training", __name__, url_prefix="/training")
