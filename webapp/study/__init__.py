"""The ``study`` blueprint; its views are in ``routes.py``."""
from flask import Blueprint

bp = Blueprint("study", __name__, url_prefix="/study")
