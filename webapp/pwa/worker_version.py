"""The service worker's version: a hash of every static file it serves or caches.

Browsers install a new worker only when the bytes of ``/sw.js`` change, and the worker names its
caches after this version. Deriving it from the files' contents means any change to CSS, scripts,
icons or the worker's own parts reaches phones on their next visit, with no number to remember to bump.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

PLACEHOLDER = 'self.SW_VERSION = "dev";'
PAGES_PLACEHOLDER = "self.ZHIBU_OFFLINE = null;"
SHELL_PLACEHOLDER = "self.SW_SHELL = [];"

# The app shell the worker precaches on install (static/sw/offline.js SHELL), under ``static/``.
# The worker receives them at their versioned URLs, the very URLs the pages load.
SHELL_FILES = (
    "css/app.css", "js/app.js", "js/photos.js", "js/push.js",
    "vendor/htmx-2.0.11.min.js", "vendor/idb-8.0.4.umd.js", "js/offline/store.js",
    "js/offline/queue.js", "js/offline/sync.js", "js/offline/capture.js", "js/offline/outbox-ui.js",
    "js/offline/links.js", "js/offline/storage.js", "js/meeting.js",
    "icons/icon-192.png", "icons/icon-512.png", "icons/maskable-192.png",
)

_cache: dict[Path, tuple[tuple, str]] = {}


def _listing(folder: Path) -> tuple:
    """(path, size, mtime) of every file: cheap to take on each request, changes when a file does."""
    entries = []
    for path in folder.rglob("*"):
        if path.is_file():
            stat = path.stat()
            entries.append((str(path.relative_to(folder)), stat.st_size, stat.st_mtime_ns))
    return tuple(sorted(entries))


def static_version(folder: str | Path) -> str:
    """First 16 hex digits of the sha256 over the static files' names and contents."""
    folder = Path(folder)
    listing = _listing(folder)
    cached = _cache.get(folder)
    if cached is not None and cached[0] == listing:
        return cached[1]
    digest = hashlib.sha256()
    for name, _size, _mtime in listing:
        digest.update(name.encode("utf-8") + b"\0")
        digest.update((folder / name).read_bytes())
        digest.update(b"\0")
    version = digest.hexdigest()[:16]
    _cache[folder] = (listing, version)
    return version


def worker_script(folder: str | Path, shell_urls: list[str] | tuple[str, ...] = ()) -> tuple[str, str]:
    """The text of ``sw/sw.js`` with its version, the shell's (versioned) URLs and the kept-page
    shapes (``webapp/pwa/offline_pages.py``) filled in, and that version."""
    from .offline_pages import worker_config

    pages = json.dumps(worker_config(), ensure_ascii=False, sort_keys=True)
    version = static_version(folder)  # the page shapes change only with a deploy, and with them these bytes
    text = (Path(folder) / "sw" / "sw.js").read_text(encoding="utf-8")
    for needed in (PLACEHOLDER, PAGES_PLACEHOLDER, SHELL_PLACEHOLDER):
        if needed not in text:
            raise RuntimeError(f"sw/sw.js must contain {needed!r} for the server to fill in")
    text = text.replace(PLACEHOLDER, f'self.SW_VERSION = "{version}";')
    text = text.replace(SHELL_PLACEHOLDER, f"self.SW_SHELL = {json.dumps(list(shell_urls))};")
    return text.replace(PAGES_PLACEHOLDER, f"self.ZHIBU_OFFLINE = {pages};"), version
