"""Members on the move: temporary branches' whole life, the 流动党员 registry, 组织关系转接."""
from flask import Blueprint

bp = Blueprint("mobility", __name__, url_prefix="/mobility")
