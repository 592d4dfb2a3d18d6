"""Web push reminders (issue 5): VAPID keys, reminder scheduling, the outbound queue and its worker."""
from flask import Blueprint

bp = Blueprint("push", __name__, url_prefix="/push")
