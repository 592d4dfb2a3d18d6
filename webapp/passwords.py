"""Password hashing with Argon2id (argon2-cffi): the hasher the app configures, and the rules a new
password must pass."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

MIN_PASSWORD_LENGTH = 8


class Passwords:
    def __init__(self, time_cost: int, memory_cost: int, parallelism: int):
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism
        )
        # Verified against when the account does not exist, so timing does not reveal it.
        self._dummy = self._hasher.hash("zhibu-timing-equalizer")

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored_hash: str | None, password: str) -> bool:
        try:
            return self._hasher.verify(stored_hash or self._dummy, password) and bool(stored_hash)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        return self._hasher.check_needs_rehash(stored_hash)


def from_config(config) -> Passwords:
    return Passwords(
        config["ARGON2_TIME_COST"], config["ARGON2_MEMORY_COST"], config["ARGON2_PARALLELISM"]
    )


def app_passwords() -> Passwords:
    """The application's hasher, made once from its configuration."""
    hasher = current_app.extensions.get("zhibu_passwords")
    if hasher is None:
        hasher = current_app.extensions["zhibu_passwords"] = from_config(current_app.config)
    return hasher


def hash_password(password: str) -> str:
    return app_passwords().hash(password)


def password_problem(password: str) -> str | None:
    """A Chinese message when a new password is too weak, else None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"密码至少需要 {MIN_PASSWORD_LENGTH} 位"
    if password.isdigit():
        return "密码不能全是数字"
    return None
