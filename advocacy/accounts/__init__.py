"""Connected social accounts; routes in `views`, imported by `create_app`."""

from flask import Blueprint

bp = Blueprint("accounts", __name__, url_prefix="/accounts")
