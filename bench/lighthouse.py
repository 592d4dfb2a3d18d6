"""Benchmark: Lighthouse (mobile, default simulated throttling) on the pages a member uses in the field.

Installs Lighthouse pinned by bench/lighthouse/package-lock.json (``npm ci``), builds a fresh SQLite
database with the demo data in a temporary folder, starts the app with gunicorn on loopback, signs in
as the demo recorder (张晓燕, ``dangyuan``) and audits, with that session's cookie:
  - the sign-in page (signed out)
  - the home page
  - the theme-day form of the field branch
  - the outbox
Prints, per page, the performance, accessibility and best-practices scores (goal: each >= 0.95),
the bytes transferred (goal for the theme-day form: < 60 KB) and the audits that lost points.
"CPU idx" is Lighthouse's benchmarkIndex of the machine during the run: simulated throttling scales
the measured main-thread work by 4, so on a busy machine (a low index) blocking time and the
performance score drop though the page did not change.

Usage: .venv/bin/python bench/lighthouse.py [--runs 3] [--keep-reports] [--strict]
  --runs N        audit each page N times and report the run with the median performance score
                  (Lighthouse's own advice: one run on a busy machine varies by several points)
  --keep-reports  keep the JSON reports in bench/out/lighthouse/
  --strict        exit 1 when a goal is missed
Needs Node 18+ with npm, and Chromium (``make system-deps``; CHROME_PATH overrides /usr/bin/chromium).
"""
from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOL = ROOT / "bench" / "lighthouse"
OUT = ROOT / "bench" / "out" / "lighthouse"
PYTHON_BIN = Path(sys.executable).parent
FIELD_BRANCH = "长江中游水文测验项目临时党支部"
CATEGORIES = ("performance", "accessibility", "best-practices")
SCORE_GOAL = 0.95
FORM_BYTES_GOAL = 60 * 1024


def install_lighthouse() -> Path:
    binary = TOOL / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=TOOL, check=True)
    return binary


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def flask(env: dict, *args: str) -> None:
    done = subprocess.run([str(PYTHON_BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{done.stdout}{done.stderr}")


def start_app(env: dict, port: int) -> subprocess.Popen:
    server = subprocess.Popen([str(PYTHON_BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "2",
                               "--threads", "4", "--log-level", "warning", "wsgi:app"],
                              cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2).read()
            return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit("the app did not start") from None
            time.sleep(0.3)
    server.terminate()
    raise SystemExit("the app did not answer within 60 s")


def sign_in(base: str, login: str, password: str) -> str:
    """Sign in as a browser would; returns the Cookie header of the session."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(base + "/login").read().decode("utf-8")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    data = urllib.parse.urlencode({"login": login, "password": password, "remember": "y",
                                   "csrf_token": token}).encode()
    page = opener.open(base + "/login", data=data).read().decode("utf-8")
    if "data-signed-in" not in page:
        raise SystemExit("sign-in failed")
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def audit(binary: Path, url: str, cookie: str | None, report: Path) -> dict:
    command = [str(binary), url, "--quiet", "--output=json", f"--output-path={report}",
               "--only-categories=" + ",".join(CATEGORIES),
               "--chrome-flags=--headless=new --no-sandbox --disable-dev-shm-usage"]
    if cookie:
        command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    subprocess.run(command, check=True, env=env, cwd=TOOL)
    return json.loads(report.read_text(encoding="utf-8"))


def summary(result: dict) -> dict:
    audits = result["audits"]
    lost = []
    for key in CATEGORIES:
        for ref in result["categories"][key]["auditRefs"]:
            item = audits[ref["id"]]
            if ref["weight"] and item.get("score") is not None and item["score"] < 1:
                lost.append(f"{key}: {ref['id']} ({item['score']:.2f}) {item.get('displayValue', '')}".rstrip())
    return {
        "scores": {key: result["categories"][key]["score"] for key in CATEGORIES},
        "bytes": audits["total-byte-weight"]["numericValue"],
        "requests": len((audits.get("network-requests", {}).get("details") or {}).get("items", [])),
        "lcp_ms": audits["largest-contentful-paint"]["numericValue"],
        "tbt_ms": audits["total-blocking-time"]["numericValue"],
        "benchmark": result.get("environment", {}).get("benchmarkIndex", 0),
        "lost": lost,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pages", default="sign-in,home,form,outbox",
                        help="comma-separated: sign-in, home, form, outbox")
    parser.add_argument("--keep-reports", action="store_true")
    parser.add_argument("--strict", action="store_true")
    args = parser.parse_args()

    binary = install_lighthouse()
    work = Path(tempfile.mkdtemp(prefix="zhibu-lighthouse-"))
    database = work / "zhibu.db"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "ZHIBU_SECRET_KEY": "bench-" + os.urandom(8).hex()}
    env.pop("ZHIBU_ENV", None)
    flask(env, "db", "upgrade")
    flask(env, "demo", "load", "--if-empty")
    with sqlite3.connect(database) as conn:
        org_id = conn.execute("SELECT id FROM organizations WHERE name = ?", (FIELD_BRANCH,)).fetchone()[0]

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_app(env, port)
    reports = OUT if args.keep_reports else work
    reports.mkdir(parents=True, exist_ok=True)
    pages = [("sign-in", "/login", False), ("home", "/", True),
             ("theme-day form", f"/records/new/{org_id}/theme_day", True), ("outbox", "/offline/outbox", True)]
    wanted = {p.strip() for p in args.pages.split(",")}
    pages = [page for page in pages if page[0].split()[-1] in wanted]
    missed = []
    try:
        cookie = sign_in(base, "dangyuan", "zhibu-demo")
        print(f"Lighthouse {json.loads((TOOL / 'node_modules/lighthouse/package.json').read_text())['version']}"
              f", mobile, default throttling, {base}")
        print(f"median of {max(1, args.runs)} run(s) per page")
        print(f"{'page':<16}{'perf':>6}{'a11y':>6}{'best':>6}{'bytes':>10}{'requests':>10}{'LCP ms':>9}{'TBT ms':>8}"
              f"{'CPU idx':>9}")
        for name, path, signed_in in pages:
            runs = []
            for run in range(max(1, args.runs)):
                report = reports / f"{re.sub(r'[^a-z]+', '-', name)}-{run + 1}.json"
                runs.append(audit(binary, base + path, cookie if signed_in else None, report))
            runs.sort(key=lambda r: r["categories"]["performance"]["score"] or 0)
            result = runs[len(runs) // 2]
            if result["finalDisplayedUrl"].rstrip("/") != (base + path).rstrip("/"):
                missed.append(f"{name}: ended at {result['finalDisplayedUrl']}")
            s = summary(result)
            sc = s["scores"]
            print(f"{name:<16}{sc['performance']:>6.2f}{sc['accessibility']:>6.2f}{sc['best-practices']:>6.2f}"
                  f"{s['bytes']:>10,.0f}{s['requests']:>10}{s['lcp_ms']:>9.0f}{s['tbt_ms']:>8.0f}{s['benchmark']:>9.0f}")
            for line in s["lost"]:
                print(f"    lost points: {line}")
            missed += [f"{name}: {k} {v:.2f} < {SCORE_GOAL}" for k, v in sc.items() if v is None or v < SCORE_GOAL]
            if name == "theme-day form" and s["bytes"] >= FORM_BYTES_GOAL:
                missed.append(f"{name}: {s['bytes']:,.0f} bytes >= {FORM_BYTES_GOAL:,}")
    finally:
        server.terminate()
        server.wait(timeout=30)
        if not args.keep_reports:
            shutil.rmtree(work, ignore_errors=True)
    print("goals met" if not missed else "goals missed:\n  " + "\n  ".join(missed))
    return 1 if (missed and args.strict) else 0


if __name__ == "__main__":
    sys.exit(main())
