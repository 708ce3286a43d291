"""Newsroom feeds: communications registers RSS or Atom feeds, a job turns their new entries
into draft items (published ones for trusted feeds); its routes are in `views`, imported by
`create_app`."""

from flask import Blueprint

bp = Blueprint("feeds", __name__, url_prefix="/feeds")
