"""A person's account: who may change it, invitations to other organizations, notices of changes."""
from flask import Blueprint

bp = Blueprint("accounts", __name__, url_prefix="/invitations")
