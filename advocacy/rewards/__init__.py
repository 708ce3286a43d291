"""Rewards (optional, switched on by an admin): a catalogue of small rewards with a points
price; employees redeem spendable points, admins fulfil or cancel; its routes are in
`views`, imported by `create_app`."""

from flask import Blueprint

bp = Blueprint("rewards", __name__, url_prefix="/rewards")
