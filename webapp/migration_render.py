"""Autogenerate hooks: migrations use plain SQLAlchemy types, never imports of app code."""
from .models.base import UTCDateTime
from .models.compressed_json import CompressedJSON


def render_item(type_, obj, autogen_context):
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if type_ == "type" and isinstance(obj, CompressedJSON):
        return "sa.LargeBinary()"
    return False
