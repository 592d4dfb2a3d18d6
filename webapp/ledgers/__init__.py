"""The ``ledgers`` blueprint; its views are in ``routes.py``."""
from flask import Blueprint

bp = Blueprint("ledgers", __name__, url_prefix="/ledgers")
