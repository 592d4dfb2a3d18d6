"""Operations: /healthz, Prometheus /metrics, JSON-lines logs with a request id."""
from flask import Blueprint

bp = Blueprint("ops", __name__)
