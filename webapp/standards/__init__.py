"""The ``standards`` blueprint; its views are in ``routes.py``."""
from flask import Blueprint

bp = Blueprint("standards", __name__, url_prefix="/standards")
