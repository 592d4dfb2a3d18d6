"""gunicorn settings for Zhibu: ``gunicorn -c deploy/gunicorn.conf.py wsgi:app`` (deploy/systemd/zhibu-web.service).

Environment: WEB_CONCURRENCY (workers, default 2 × cores + 1 capped at 8), ZHIBU_BIND (default
127.0.0.1:8000, nginx in front), PROMETHEUS_MULTIPROC_DIR (metrics of all workers added up)."""
import gc
import multiprocessing
import os
from pathlib import Path

bind = os.environ.get("ZHIBU_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY") or min(2 * multiprocessing.cpu_count() + 1, 8))
# Threads let a worker answer /healthz and pages while another request of it waits on the object
# store or the database.
threads = int(os.environ.get("ZHIBU_THREADS", "4"))
worker_class = "gthread"
timeout = 60
graceful_timeout = 30
keepalive = 5
max_requests = 5000  # a worker is replaced now and then (memory held by one big export)
max_requests_jitter = 500
forwarded_allow_ips = "127.0.0.1"  # X-Forwarded-* from nginx on this host (see ZHIBU_TRUSTED_PROXIES)
accesslog = None  # the app writes one JSON line per request itself, with its request id
errorlog = "-"
# The app is imported once, in the master, and the workers share its memory (modules, mapped
# models: about 80 MB) copy-on-write (issue 18). Measured after sync and pages: a worker's private
# memory 71 -> 38 MB; its resident size, which counts the shared pages, stays about 85 MB. The
# master's database connections (the schema check at start) are closed before forking, and each
# worker opens its own pool (post_fork). A new release of the code needs a restart, not a HUP.
preload_app = True


def _dispose_engines(close: bool) -> None:
    import wsgi
    from webapp.extensions import db

    with wsgi.app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=close)


def when_ready(server):
    """Before the workers are forked: close the master's database connections (the schema check at
    start), then move everything the import made out of the garbage collector's generations, so its
    passes in the workers do not write to (and so copy) the shared pages."""
    _dispose_engines(close=True)
    gc.collect()
    gc.freeze()


def post_fork(server, worker):
    """Each worker starts with a pool of its own (SQLAlchemy's rule for forked processes)."""
    _dispose_engines(close=False)


def _live(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def on_starting(server):
    """Remove metric files of processes that are gone (an earlier run of the server), keeping the push
    worker's, which shares the folder and may be running."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    for path in Path(folder).glob("*.db"):
        pid = path.stem.rsplit("_", 1)[-1]
        if pid.isdigit() and not _live(int(pid)):
            path.unlink(missing_ok=True)


def child_exit(server, worker):
    """A worker that exits stops counting in live gauges (prometheus_client multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
