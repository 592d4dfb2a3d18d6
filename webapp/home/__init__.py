"""The ``home`` blueprint; its views are in ``routes.py``."""
from flask import Blueprint

bp = Blueprint("home", __name__)
