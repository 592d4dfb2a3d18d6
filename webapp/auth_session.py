"""Flask-Login wiring: loading the signed-in user, and where to send the signed-out."""
from __future__ import annotations

from .auth import sessions
from .extensions import login_manager


def install(app) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def _load_user(user_id: str):
        # The id carries the session version and the server-side session key: signing out, a
        # password change and "sign out everywhere" refuse every cookie issued before.
        return sessions.load(user_id)
