"""A live Zhibu for the offline E2E tests whose service-worker version can be switched (an upgrade)."""
from __future__ import annotations

import re

from flask import current_app

from tests.conftest import _config_dict, migrate_to_head
from tests.e2e.conftest import LiveServer, _free_port
from webapp import create_app
from webapp.extensions import db
from webapp.pwa.worker_version import worker_script

class OfflineServer(LiveServer):
    sw_version = None  # None: the real sw.js; else served with this SW_VERSION


def start(folder) -> OfflineServer:
    from webapp.passwords import hash_password
    from webapp.demo import loader

    url = "sqlite:///" + str(folder / "zhibu-offline-e2e.db")
    migrate_to_head(url)
    app = create_app({**_config_dict(), "SQLALCHEMY_DATABASE_URI": url, "TESTING": False,
                      "WTF_CSRF_SSL_STRICT": False, "INSTANCE_UPLOADS": str(folder / "uploads")})
    real_sw = app.view_functions["pwa.service_worker"]
    holder: dict = {}

    def service_worker():
        server = holder["server"]
        if server.sw_version is None:
            return real_sw()
        text, _version = worker_script(current_app.static_folder)
        text = re.sub(r'self.SW_VERSION = "[^"]*";', f'self.SW_VERSION = "{server.sw_version}";', text)
        response = current_app.response_class(text, mimetype="text/javascript")
        response.headers["Cache-Control"] = "no-cache"
        return response

    app.view_functions["pwa.service_worker"] = service_worker
    with app.app_context():
        loader.load(hash_password)
        db.session.commit()
    server = OfflineServer(app, _free_port())
    holder["server"] = server
    server.start()
    return server


def poll(page, check: str, timeout_ms: int = 15000):
    """Wait for an async browser-side condition (wait_for_function does not await promises)."""
    assert page.evaluate("""async ([check, limit]) => {
        const ok = new Function("return (" + check + ")()");
        const end = Date.now() + limit;
        while (Date.now() < end) {
            if (await ok()) return true;
            await new Promise((r) => setTimeout(r, 100));
        }
        return false;
    }""", [check, timeout_ms]), check


def take_control(page, url: str) -> None:
    """Open ``url`` online until the service worker controls the page and the phone is registered
    as a sync device with nothing syncing."""
    page.goto(url)
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    if not page.evaluate("() => navigator.serviceWorker.controller !== null"):
        page.reload()  # first visit: the freshly installed worker claims the page
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15000)
    poll(page, """async () => { const dev = await window.ZhibuOutbox.device();
                   return !!(dev && dev.token) && !window.ZhibuOutbox.state.syncing; }""")


def open_entry(page, base, oid):
    """Open the theme-day form online until the worker controls it, the phone is registered as a
    sync device, and the entry pages of the user's branches are kept for offline use."""
    take_control(page, f"{base}/records/new/{oid}/theme_day")
    for path in ("/offline/outbox", f"/records/new/{oid}/theme_day", f"/study/notes/new/{oid}"):
        poll(page, f"async () => !!(await caches.match('{path}', {{ ignoreVary: true }}))")


def network_off(phone, server) -> None:
    """No signal: the server process stops (so the service worker's own fetches, Background Sync's
    among them, are refused too; ``set_offline`` alone does not reach them) and the browser knows it
    is offline."""
    server.stop()
    phone.set_offline(True)


def network_on(phone, server) -> None:
    """Signal again: the server is back and the browser's ``online`` event lets the page replay."""
    server.start()
    phone.set_offline(False)
