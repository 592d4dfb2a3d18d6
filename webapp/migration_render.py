"""Autogenerate hooks: migrations use plain SQLAlchemy types, never imports of app code."""
from .models.base import UTCDateTime


def render_item(type_, obj, autogen_context):
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False
