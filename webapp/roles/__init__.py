from flask import Blueprint

bp = Blueprint("roles", __name__, url_prefix="/roles")
