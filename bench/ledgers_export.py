"""Benchmark: export a branch-year of 300 approved records with 600 photos: the whole binder, as the
workbook (.xlsx) and the PDF (six archives, a meeting page per record with its photo thumbnails).

Goal (issue "Dues, points and ledgers"): both exports together under 30 s, with progress reported.
Usage: .venv/bin/python bench/ledgers_export.py [--records 300] [--photos-per-record 2] [--backend sqlite|postgresql|both]
Prints the time of each export (wall clock, and the process's CPU time, which a busy machine distorts
less), the file sizes, the PDF's page count and how many progress updates were reported, then the whole
binder's time and size.
"""
from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import downgrade, upgrade  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402
from pypdf import PdfReader  # noqa: E402
from sqlalchemy import select  # noqa: E402

from webapp import create_app  # noqa: E402
from webapp.passwords import hash_password  # noqa: E402
from webapp.config import TestConfig  # noqa: E402
from webapp.demo import loader  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.ledgers import record_book, workbook  # noqa: E402
from webapp.models import Membership, Organization  # noqa: E402
from webapp.records import photos, service  # noqa: E402

PG_URL = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://127.0.0.1:5432/zhibu_bench_ledgers")


def _photo(seed: int) -> bytes:
    image = Image.new("RGB", (1600, 1200), ((seed * 37) % 255, (seed * 91) % 255, (seed * 53) % 255))
    draw = ImageDraw.Draw(image)
    for i in range(0, 1600, 80):
        draw.line([(i, 0), (1600 - i, 1200)], fill=((seed + i) % 255, 120, 200), width=6)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def _ensure_pg_database() -> bool:
    import psycopg

    from _fresh_database import fresh_database

    try:
        fresh_database(PG_URL)
        return True
    except psycopg.OperationalError as error:
        print(f"PostgreSQL unavailable, skipped: {error}")
        return False


def run(url: str, records: int, photos_per_record: int, instance: Path) -> None:
    config = {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}
    config.update(SQLALCHEMY_DATABASE_URI=url, SCHEMA_CHECK=False, INSTANCE_UPLOADS=str(instance / "uploads"))
    app = create_app(config)
    with app.app_context():
        upgrade()
        accounts = loader.load(hash_password)
        db.session.commit()
        org = db.session.scalar(select(Organization).where(Organization.name == "长江中游水文测验项目临时党支部"))
        ids = list(db.session.scalars(select(Membership.user_id).where(Membership.org_id == org.id)))
        recorder, reviewer = accounts["dangyuan"], accounts["linshi"]
        started = time.perf_counter()
        year = date.today().year - 1
        org.start_date = date(year, 1, 1)
        day = date(year, 1, 1)
        for n in range(records):
            hashes = []
            for k in range(photos_per_record):
                photo, _ = photos.store(_photo(n * photos_per_record + k), recorder)
                hashes.append(photo.sha256)
            record = service.create_record(org, "theme_day", {
                "occurred_on": (day + timedelta(days=n % 365)).isoformat(), "start_time": "09:00",
                "end_time": "10:30", "place": "城南水文站会议室", "topic": f"第 {n + 1} 次组织生活：学习党章",
                "content": "集体诵读党章；学习全会公报；交纳党费。" * 8, "attendee_ids": ids[:-1],
                "absentees": [{"user_id": ids[-1], "reason": "外出测流"}],
                "theme_items": ["recite_constitution", "collective_study", "pay_dues"], "photos": hashes,
            }, recorder)
            service.approve(record, reviewer)
            if n % 50 == 49:
                db.session.commit()
        db.session.commit()
        print(f"  generated {records} approved records with {records * photos_per_record} photos "
              f"in {time.perf_counter() - started:.1f} s")
        total_s = total_cpu = total_mb = 0.0
        for name, build, suffix in (("workbook (.xlsx)", workbook.build, ".xlsx"),
                                    ("binder (.pdf)", record_book.build, ".pdf")):
            updates = []
            started, cpu = time.perf_counter(), time.process_time()
            path = build(org, year, instance / f"export{suffix}", lambda p, _s, into=updates: into.append(p))
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
            size = path.stat().st_size / 1024 / 1024
            total_s, total_cpu, total_mb = total_s + elapsed, total_cpu + cpu, total_mb + size
            pages = f", {len(PdfReader(path).pages)} pages" if suffix == ".pdf" else ""
            print(f"  {name}: {elapsed:.2f} s ({cpu:.2f} s CPU), {size:.1f} MB{pages}, {len(updates)} progress updates")
        print(f"  whole binder (both files): {total_s:.2f} s ({total_cpu:.2f} s CPU), {total_mb:.1f} MB")
        if url.startswith("postgresql"):
            downgrade(revision="base")
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=300)
    parser.add_argument("--photos-per-record", type=int, default=2)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    print(f"ledger export benchmark: {args.records} records, {args.records * args.photos_per_record} photos "
          f"(cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.2f})")
    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as folder:
            print("SQLite:")
            run(f"sqlite:///{folder}/bench.db", args.records, args.photos_per_record, Path(folder))
    if args.backend in ("postgresql", "both") and _ensure_pg_database():
        with tempfile.TemporaryDirectory() as folder:
            print("PostgreSQL:")
            run(PG_URL, args.records, args.photos_per_record, Path(folder))


if __name__ == "__main__":
    main()
