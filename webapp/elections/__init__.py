from flask import Blueprint

bp = Blueprint("elections", __name__, url_prefix="/elections")
