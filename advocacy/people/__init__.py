from flask import Blueprint

bp = Blueprint("people", __name__, url_prefix="/admin")

from advocacy.people import views  # noqa: E402, F401  (routes register on import)
