"""Flask-Login wiring: loading the signed-in user, and where to send the signed-out."""
from __future__ import annotations

from .extensions import db, login_manager
from .models import User


def install(app) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def _load_user(user_id: str):
        # The id carries the session version: a password change signs out every other session.
        try:
            raw_id, raw_version = user_id.split(":", 1)
            uid, version = int(raw_id), int(raw_version)
        except ValueError:
            return None
        user = db.session.get(User, uid)
        if user is None or user.session_version != version or not user.active:
            return None
        return user
