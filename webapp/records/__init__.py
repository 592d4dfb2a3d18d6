"""Organizational life records: the core services (validation, versions, review, check-ins)."""
from flask import Blueprint

bp = Blueprint("records", __name__, url_prefix="/records")
