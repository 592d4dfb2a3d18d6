"""Zhibu (支部通): the Flask application factory."""
from __future__ import annotations

import importlib
import os
import secrets
from pathlib import Path

import click
from flask import Flask
from sqlalchemy.orm import configure_mappers
from werkzeug.middleware.proxy_fix import ProxyFix

from . import json_bodies, json_storage, nul_text, security_headers, sqlite_pragmas, startup_checks
from . import static_assets
from .config import Config
from .extensions import compress, csrf, db, limiter, login_manager
from .input_numbers import RowIdConverter
from .schema_check import MIGRATIONS_DIR, SchemaOutOfDate
from .schema_check import problem as schema_problem

# One blueprint per capability: the package's ``__init__`` holds ``bp``, its route modules (listed
# here, every one of them) add the views.
BLUEPRINTS = (
    ("webapp.auth", ("routes",)),
    ("webapp.home", ("routes",)),
    ("webapp.orgs", ("routes",)),
    ("webapp.roster", ("routes",)),
    ("webapp.pwa", ("routes",)),
    ("webapp.offline", ("routes",)),
    ("webapp.records", ("routes", "review_routes", "photo_routes")),
    ("webapp.study", ("routes",)),
    ("webapp.dues", ("routes",)),
    ("webapp.points", ("routes",)),
    ("webapp.ledgers", ("routes",)),
    ("webapp.standards", ("routes",)),
    ("webapp.push", ("routes",)),
    ("webapp.plans", ("routes",)),
    ("webapp.accounts", ("routes",)),
    ("webapp.ops", ("routes",)),
    ("webapp.mobility", ("routes",)),
    ("webapp.development", ("routes",)),
    ("webapp.appraisal", ("routes",)),
    ("webapp.life_meeting", ("routes",)),
    ("webapp.elections", ("routes",)),
    ("webapp.roles", ("routes",)),
    ("webapp.reports", ("routes",)),
    ("webapp.welfare", ("routes",)),
)

CLI_GROUPS = ("webapp.demo.cli", "webapp.jobs.cli", "webapp.push.cli", "webapp.storage.cli")


def create_app(config: type | dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)

    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    startup_checks.check(app.config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path) / "secret_key")
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(
            app.instance_path, "zhibu.db"
        )
    _tune_engine(app)
    from .push.keys import check_subject

    check_subject(app)  # production refuses to start without ZHIBU_VAPID_SUBJECT

    sqlite_pragmas.install()  # every SQLite connection: foreign keys, WAL, busy timeout
    db.init_app(app)
    if app.testing or app.config.get("WIRE_MIGRATIONS") or click.get_current_context(silent=True) is not None:
        _wire_migrations(app)  # a web worker does without Alembic (11 MB resident)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    compress.init_app(app)
    static_assets.install(app)
    if app.config.get("TRUSTED_PROXIES"):
        # The client address (sign-in limits, audit) comes from the trusted proxies' headers only.
        n = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n)

    from . import auth_session, errors, storage, template_helpers
    from .auth import login_limits
    from .ops import metrics, request_log

    auth_session.install(app)
    login_limits.install(app)
    errors.install(app)
    storage.install(app)
    request_log.install(app)
    metrics.install(app)
    template_helpers.install(app)
    security_headers.install(app)
    nul_text.install(app)
    json_bodies.install(app)

    app.url_map.converters["int"] = RowIdConverter  # before any rule is bound to it
    for package_name, route_modules in BLUEPRINTS:
        for module_name in route_modules:
            importlib.import_module(f"{package_name}.{module_name}")
        app.register_blueprint(importlib.import_module(package_name).bp)
    for module_name in CLI_GROUPS:
        app.cli.add_command(importlib.import_module(module_name).cli)
    connect_receivers()

    # Relate the models now, not in the first request each worker serves (a phone's sync after a
    # restart would wait for it).
    configure_mappers()
    _check_schema(app)
    return app


def connect_receivers() -> None:
    """Every receiver of the records core's signals (``webapp/records/events.py``), in one place.
    Connecting again (another app in the same process) changes nothing: blinker keeps one connection
    per receiver."""
    from .points import events as points_events
    from .standards import rectification, rollup_store, summaries

    points_events.install()  # approved attendance and 民主评议 grades become points lines
    summaries.install()  # monthly counts behind the checklist and the dashboard
    rectification.install()  # a 组织生活会's 整改清单 enters the 整改台账
    rollup_store.install()  # the committee dashboard's stored figures follow the tree's branches


def _wire_migrations(app: Flask) -> None:
    """Flask-Migrate, for the ``flask db`` commands (any ``flask`` command wires it), tests and
    scripts that set ``WIRE_MIGRATIONS``."""
    from flask_migrate import Migrate

    from .migration_render import render_item

    Migrate(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True, compare_type=True,
            render_item=render_item)


def _instance_secret(path: Path) -> str:
    """A random secret kept in the instance folder, created on first start."""
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _tune_engine(app: Flask) -> None:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    options.setdefault("json_serializer", json_storage.dumps)  # UTF-8, no \uXXXX escapes
    if uri.startswith("sqlite"):
        options.setdefault("connect_args", {"timeout": 30})
    elif uri.startswith("postgresql"):
        # psycopg prepares a statement on the server once it has run 5 times on a connection, and
        # PostgreSQL may then keep one generic plan for it. A plan made while a table was still
        # small (a new branch's first sync, tables autovacuum has not analyzed yet) stays a
        # sequential scan as the table grows: sync batches measured 5-10 times slower lookups.
        # Each statement is planned for its own values instead.
        options.setdefault("connect_args", {"prepare_threshold": None})
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _check_schema(app: Flask) -> None:
    """Refuse to start on an un-migrated database.

    Under the ``flask`` command (``db upgrade``, ``demo load``) the check moves to the first request,
    so the commands that fix the schema can still run.
    """
    if not app.config.get("SCHEMA_CHECK") or not MIGRATIONS_DIR.is_dir():
        return
    with app.app_context():
        message = schema_problem(db.engine)
    if message is None:
        return
    if click.get_current_context(silent=True) is None:
        raise SchemaOutOfDate(message)

    state = {"checked": False}

    @app.before_request
    def _refuse_unmigrated():
        if state["checked"]:
            return None
        current = schema_problem(db.engine)
        if current is None:
            state["checked"] = True
            return None
        return current, 503, {"Content-Type": "text/plain; charset=utf-8"}
