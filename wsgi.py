"""WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi run``."""
import os

from webapp import create_app
from webapp.config import Config, ProductionConfig

app = create_app(ProductionConfig if os.environ.get("ZHIBU_ENV") == "production" else Config)
