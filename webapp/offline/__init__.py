"""Offline entry and sync (issue 4): devices, push/pull API, entity handlers, quarantine."""
from flask import Blueprint

bp = Blueprint("offline", __name__)
