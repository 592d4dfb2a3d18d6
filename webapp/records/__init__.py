"""Organizational life records: the core services (validation, versions, review, check-ins)."""
