"""The ``pwa`` blueprint; its views are in ``routes.py``."""
from flask import Blueprint

bp = Blueprint("pwa", __name__)
