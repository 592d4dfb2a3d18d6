"""End-to-end fixtures: a live Zhibu on a free port with demo data, driven by Debian's Chromium."""
from __future__ import annotations

import os
import shutil
import socket
import threading

import pytest
from werkzeug.serving import make_server

from tests.conftest import _config_dict, migrate_to_head
from webapp import create_app
from webapp.extensions import db

CHROMIUM = os.environ.get("ZHIBU_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run",
]

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True, "locale": "zh-CN"}
DESKTOP = {"viewport": {"width": 1366, "height": 900}, "locale": "zh-CN"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make test`, which installs Debian's chromium")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_FLAGS,
            "headless": True}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """A real server on a fixed port that a test can stop (the process really gone: connections
    refused, also for the service worker's own fetches) and start again on the same port."""

    def __init__(self, app, port: int):
        self.app = app
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self._server = None
        self._thread = None

    def start(self):
        if self._server is not None:
            return
        # socketserver's allow_reuse_address (SO_REUSEADDR) lets the port be bound again at once.
        self._server = make_server("127.0.0.1", self.port, self.app, threaded=True)
        self._connections: set = set()
        accept = self._server.process_request

        def process_request(request, client_address):
            self._connections.add(request)
            return accept(request, client_address)

        self._server.process_request = process_request
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self):
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        for conn in list(self._connections):  # kept-alive connections die with the process too
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._thread.join(timeout=5)
        self._server = self._thread = None

    @property
    def running(self) -> bool:
        return self._server is not None


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """A real server on 127.0.0.1 with a migrated SQLite database and the demo data."""
    from webapp.passwords import hash_password
    from webapp.demo import loader

    folder = tmp_path_factory.mktemp("live")
    url = "sqlite:///" + str(folder / "zhibu-e2e.db")
    migrate_to_head(url)
    config = {**_config_dict(), "SQLALCHEMY_DATABASE_URI": url, "TESTING": False,
              "WTF_CSRF_SSL_STRICT": False}
    app = create_app(config)
    with app.app_context():
        loader.load(hash_password)
        db.session.commit()
    server = LiveServer(app, _free_port())
    server.start()
    yield server
    server.stop()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def server_back(server):
    """For a module whose tests stop its ``server`` (no signal, the process gone): running again for
    the next test, also after a test that failed with it stopped. Used by marking the module
    ``pytestmark = pytest.mark.usefixtures("server_back")``."""
    yield
    server.start()


@pytest.fixture
def phone(browser):
    context = browser.new_context(**PHONE, service_workers="allow")  # the offline tests need the worker
    yield context
    context.close()


@pytest.fixture
def desktop(browser):
    context = browser.new_context(**DESKTOP)
    yield context
    context.close()


def sign_in(page, base_url: str, login: str, password: str = "zhibu-demo"):
    page.goto(base_url + "/login")
    page.get_by_label("手机号或用户名").fill(login)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(base_url + "/")
