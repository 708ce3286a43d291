"""Challenges: time-boxed contests for individuals or teams (groups), on shares or clicks,
with progress while they run and fixed results and bonus points at the end; its routes
are in `views`, imported by `create_app`."""

from flask import Blueprint

bp = Blueprint("challenges", __name__, url_prefix="/challenges")
