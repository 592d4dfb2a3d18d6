"""All models, imported here so Alembic and the app see every table."""
from .audit import AuditLog
from .membership import Membership
from .organization import Organization
from .user import User

__all__ = ["AuditLog", "Membership", "Organization", "User"]
