from flask import Blueprint

bp = Blueprint("life_meeting", __name__, url_prefix="/life-meeting")
