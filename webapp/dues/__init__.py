"""The ``dues`` blueprint; its views are in ``routes.py``."""
from flask import Blueprint

bp = Blueprint("dues", __name__, url_prefix="/dues")
