"""`make bench`: run every bench/bench_*.py and print its figures (`bench/run.py chat`: only bench_chat).

Each module has ``run() -> list[tuple[str, str]]`` (figure name, value). Benchmarks print
figures; tests never assert timings. The database is DATABASE_URL's (PostgreSQL in `make
bench`), created fresh as `<name>_bench` so that it never touches real data.
"""

from __future__ import annotations

import importlib
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _bench_database_url() -> str:
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/coachos")
    parts = urlparse(url)
    if parts.scheme.startswith("postgres"):
        name = parts.path.lstrip("/") + "_bench"
        import psycopg

        admin = urlunparse(parts._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        return urlunparse(parts._replace(path=f"/{name}"))
    return url


def main() -> int:
    os.environ["DATABASE_URL"] = _bench_database_url()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coachos.settings")
    os.environ.setdefault("COACHOS_TESTING", "1")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    modules = sorted(p.stem for p in (ROOT / "bench").glob("bench_*.py"))
    wanted = sys.argv[1:]  # `bench/run.py chat login`: only bench_chat and bench_login
    if wanted:
        modules = [name for name in modules if name.removeprefix("bench_") in wanted]
    if not modules:
        print("no benchmarks yet")
        return 0
    print(f"Coach OS benchmarks on {django.db.connection.vendor}")
    for name in modules:
        module = importlib.import_module(f"bench.{name}")
        started = time.perf_counter()
        figures = module.run()
        print(f"\n[{name}] ({time.perf_counter() - started:.1f} s)")
        for label, value in figures:
            print(f"  {label:<58} {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
