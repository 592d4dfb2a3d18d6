"""Sync ingest on two app servers behind nginx (issue 19): 20 phones push batches of 50, closed loop.

Two gunicorn servers (deploy/gunicorn.conf.py, --workers each) on two loopback ports share one
PostgreSQL database and one Redis for sign-in limits; nginx in front, with the site of
deploy/nginx/zhibu.conf turned into a loopback variant in a temporary folder (plain HTTP on a free
port, both servers in the upstream, the cache and temp files in the folder), balances the phones'
requests over them. Each phone has its own device token and pushes theme days and check-ins for the
field branch (bench/sync_ingest.py's phones and data), the next batch as soon as the last is answered.
Prints mutations/s, batch p50/p95 (nearest rank), and the CPU seconds of each server, PostgreSQL and
nginx. Goal stated in the issue: ≥ 2,000 mutations/s and p95 < 300 ms (closed loop, PostgreSQL).

nginx comes from the Debian package (`make bench-deps` installs it when missing).

    .venv/bin/python bench/sync_two_servers.py [--devices 20] [--mutations 20000] [--batch 50]
                                               [--workers 2] [--threads 1] [--nginx-workers 1]
                                               [--worker-class gthread|sync]
"""
from __future__ import annotations

import argparse
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

from _fresh_database import fresh_database  # noqa: E402
from sync_ingest import cpu_seconds, free_port, phone, prepare  # noqa: E402

PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://127.0.0.1:5432/zhibu_sync_two_servers")
LIMITS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
SITE = ROOT / "deploy" / "nginx" / "zhibu.conf"


def _replace(text: str, old: str, new: str) -> str:
    if old not in text:
        raise SystemExit(f"{SITE} changed: {old!r} not found; update bench/sync_two_servers.py")
    return text.replace(old, new)


def loopback_site(folder: Path, listen: int, upstreams: list[int]) -> str:
    """deploy/nginx/zhibu.conf on loopback: no TLS and no redirect server, both app servers upstream."""
    site = SITE.read_text()
    start = site.index("server {\n    listen 80;")
    site = site[:start] + site[site.index("}\n", start) + 2:]
    site = _replace(site, "    server 127.0.0.1:8000;\n",
                    "".join(f"    server 127.0.0.1:{port};\n" for port in upstreams))
    site = _replace(site, "listen 443 ssl http2;", f"listen 127.0.0.1:{listen};")
    site = _replace(site, "    ssl_certificate     /etc/ssl/zhibu/fullchain.pem;\n", "")
    site = _replace(site, "    ssl_certificate_key /etc/ssl/zhibu/privkey.pem;\n", "")
    return _replace(site, "/var/cache/nginx/zhibu-static", str(folder / "cache"))


def nginx_conf(folder: Path, site: Path, workers: int) -> str:
    temp = "\n".join(f"    {kind}_temp_path {folder / kind};" for kind in ("client_body", "proxy", "fastcgi",
                                                                               "uwsgi", "scgi"))
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must reach the temporary folder
    return (f"{user}worker_processes {workers};\npid {folder / 'nginx.pid'};\nerror_log {folder / 'error.log'} warn;\n"
            "daemon off;\nevents { worker_connections 1024; }\n"
            f"http {{\n    access_log off;\n{temp}\n    client_body_buffer_size 1m;\n    include {site};\n}}\n")


def start_nginx(folder: Path, listen: int, upstreams: list[int], workers: int) -> subprocess.Popen:
    binary = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if binary is None:
        raise SystemExit("nginx is not installed: `make bench-deps` installs the Debian package nginx")
    site = folder / "zhibu-loopback.conf"
    site.write_text(loopback_site(folder, listen, upstreams))
    conf = folder / "nginx.conf"
    conf.write_text(nginx_conf(folder, site, workers))
    checked = subprocess.run([binary, "-t", "-p", str(folder), "-c", str(conf)], capture_output=True, text=True)
    if checked.returncode:
        raise SystemExit(f"the loopback nginx config does not load:\n{checked.stderr}")
    return subprocess.Popen([binary, "-p", str(folder), "-c", str(conf)])


def start_server(url: str, port: int, workers: int, threads: int, worker_class: str) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "ZHIBU_SECRET_KEY": "bench-two-servers", "ZHIBU_BIND": f"127.0.0.1:{port}",
           "WEB_CONCURRENCY": str(workers), "ZHIBU_THREADS": str(threads), "ZHIBU_TRUSTED_PROXIES": "1",
           "ZHIBU_SERVERS": "2", "ZHIBU_RATELIMIT_STORAGE": LIMITS_URL}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    return subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-c", "deploy/gunicorn.conf.py",
                             "--worker-class", worker_class, "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=env)


def wait_ready(base: str) -> None:
    for _ in range(300):
        try:
            urllib.request.urlopen(base + "/login", timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{base} did not answer within a minute")


def _under(root: int):
    return lambda pid, ppid, name: pid == root or ppid == root


def push_all(base: str, tokens: list[str], template: dict, org_id: int, per_phone: int, batch: int):
    latencies: list[float] = []
    failures: list = []
    threads = [threading.Thread(target=phone, args=(base, token, template, org_id, per_phone, batch, latencies,
                                                    failures)) for token in tokens]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, sorted(latencies), failures


def run(args) -> None:
    fresh_database(PG_URL)
    tokens, template, org_id = prepare(PG_URL, args.devices)
    folder = Path(tempfile.mkdtemp(prefix="zhibu-two-servers-"))
    ports = [free_port(), free_port()]
    servers = [start_server(PG_URL, port, args.workers, args.threads, args.worker_class) for port in ports]
    proxy = None
    try:
        for port in ports:
            wait_ready(f"http://127.0.0.1:{port}")
        listen = free_port()
        proxy = start_nginx(folder, listen, ports, args.nginx_workers)
        base = f"http://127.0.0.1:{listen}"
        wait_ready(base)
        watched = {f"server {n + 1}": _under(s.pid) for n, s in enumerate(servers)}
        watched["PostgreSQL"] = lambda pid, ppid, name: name.startswith("postgres")
        watched["nginx"] = _under(proxy.pid)
        before = {name: cpu_seconds(match) for name, match in watched.items()}
        client_cpu = time.process_time()
        per_phone = args.mutations // args.devices
        elapsed, latencies, failures = push_all(base, tokens, template, org_id, per_phone, args.batch)
        client_cpu = time.process_time() - client_cpu
        used = {name: cpu_seconds(match) - before[name] for name, match in watched.items()}
    finally:
        for process in [proxy, *servers]:
            if process is not None:
                process.terminate()
                process.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)
    p95 = latencies[max(0, math.ceil(len(latencies) * 0.95) - 1)]
    total = per_phone * args.devices
    print(f"PostgreSQL, 2 servers x {args.workers} gunicorn {args.worker_class} workers x {args.threads} threads "
          "behind nginx: "
          f"{total} mutations from {args.devices} phones in batches of {args.batch}, closed loop: "
          f"{total / elapsed:6.0f} mutations/s, batch p50 {statistics.median(latencies) * 1000:.0f} ms, "
          f"p95 {p95 * 1000:.0f} ms, not applied: {len(failures)} (load average {os.getloadavg()[0]:.2f})")
    print("CPU seconds: " + ", ".join(f"{name} {seconds:.1f}" for name, seconds in used.items())
          + f", benchmark's phones {client_cpu:.1f}, over {elapsed:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=20)
    parser.add_argument("--mutations", type=int, default=20000)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker (gthread)")
    parser.add_argument("--nginx-workers", type=int, default=1)
    parser.add_argument("--worker-class", default="gthread",
                        help="gunicorn worker class (deploy/gunicorn.conf.py: gthread; sync accepts a "
                             "connection only when idle, so nginx's keep-alive connections balance differently)")
    args = parser.parse_args()
    try:
        run(args)
    except OSError as error:
        print(f"PostgreSQL or a server unavailable: {error.__class__.__name__}: {error}")
        raise SystemExit(1) from error


if __name__ == "__main__":
    main()
