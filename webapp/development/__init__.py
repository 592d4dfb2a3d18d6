"""发展党员 (issue 21): the 25-step development pipeline; rule data in webapp/rules/development.py."""
from flask import Blueprint

bp = Blueprint("development", __name__, url_prefix="/development")
