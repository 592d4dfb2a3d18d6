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
# models, templates: about 70 MB) copy-on-write; each worker then holds only what it allocates
# itself (issue 18: a worker serving pages and sync under 80 MB). The master's database connections
# (the schema check at start) are not carried into the workers: each opens its own pool (post_fork).
preload_app = True


def when_ready(server):
    """Before the workers are forked: move everything the import made out of the garbage collector's
    generations, so its passes in the workers do not write to (and so copy) the shared pages."""
    gc.collect()
    gc.freeze()


def post_fork(server, worker):
    """Each worker starts without the master's pooled connections (SQLAlchemy's rule for forking)."""
    import wsgi
    from webapp.extensions import db

    with wsgi.app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)


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
