"""The ``roster`` blueprint; its views are in ``routes.py``."""
from flask import Blueprint

bp = Blueprint("roster", __name__, url_prefix="/orgs/<int:org_id>/roster")
