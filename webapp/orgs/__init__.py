"""The ``orgs`` blueprint; its views are in ``routes.py``."""
from flask import Blueprint

bp = Blueprint("orgs", __name__, url_prefix="/orgs")
