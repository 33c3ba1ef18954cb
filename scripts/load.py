"""`make load`: Coach OS under load on this machine, loopback only, bounded in time.

Starts the app the way production runs it (uvicorn, 2 workers, DEBUG off, the PostgreSQL of
DATABASE_URL in a fresh ``<name>_load`` database), then drives three reads at rising concurrency
with a small asyncio + aiohttp client (one keep-alive connection and cookie jar per virtual user):

- ``GET /api/v1/slots`` — one week of open times for a coach with 300 past sessions (bearer token);
- ``GET /api/v1/me`` — the cheapest authenticated API call: the fixed cost of a request;
- the public booking page with the week's times (``/book/<slug>/times/?type=…&coach=…``).

For each it prints requests per second, p50 and p95 at each concurrency. Targets (issue #21, this
2-core machine, p95 at 8 concurrent ≤ 100 ms): slots ≥ 130 req/s, /me ≥ 250 req/s, booking page ≥ 150
req/s. Figures are printed, never asserted; `make bench` runs a short version (bench/bench_load.py).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/coachos .venv/bin/python scripts/load.py
    … scripts/load.py --seconds 3 --levels 1,8
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import time as wall
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGETS = {"slots": 130.0, "me": 250.0, "booking page": 150.0}
P95_TARGET_MS, P95_AT = 100.0, 8
PAST_SESSIONS = 300


@dataclass
class Plan:
    slug: str
    coach: int
    session_type: int
    token: str
    monday: str
    sunday: str

    def targets(self) -> dict[str, tuple[str, dict[str, str]]]:
        bearer = {"Authorization": f"Bearer {self.token}"}
        return {
            "slots": (f"/api/v1/slots?coach={self.coach}&session_type={self.session_type}&start={self.monday}"
                      f"&end={self.sunday}", bearer),
            "me": ("/api/v1/me", bearer),
            "booking page": (f"/book/{self.slug}/times/?type={self.session_type}&coach={self.coach}", {}),
        }


# --- the database and the data ------------------------------------------------------------------------

def fresh_database(url: str, suffix: str = "_load") -> str:
    """A new, empty PostgreSQL database next to ``url``'s (never the real one)."""
    import psycopg

    parts = urlparse(url)
    if not parts.scheme.startswith("postgres"):
        raise SystemExit("make load needs PostgreSQL: set DATABASE_URL=postgres://…")
    name = parts.path.lstrip("/") + suffix
    with psycopg.connect(urlunparse(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunparse(parts._replace(path=f"/{name}"))


def seed(*, past_sessions: int = PAST_SESSIONS) -> Plan:
    """One business with a coach (weekday hours 7–19, some sessions next week, ``past_sessions`` in the
    past), a bookable session type and an API token. Needs Django set up on the target database."""
    from django.utils import timezone
    from django_scopes import scope

    from coachos.accounts.models import User
    from coachos.accounts.services import api_token_create
    from coachos.scheduling.models import Coach, SessionType, TrainingSession, WeeklyAvailability
    from coachos.tenancy.services import organization_create

    owner = User.objects.create_user(email=f"load-{secrets.token_hex(4)}@load.example", password="load-password-1",
                                     name="Load Owner")
    org = organization_create(name="Load Strength", owner=owner, timezone="America/Chicago")
    tz = org.tzinfo
    with scope(organization=org):
        coach = Coach.objects.get(organization=org)
        Coach.objects.filter(pk=coach.pk).update(min_notice_minutes=0, buffer_after_minutes=10)
        session_type = SessionType.objects.create(organization=org, name="Personal training", duration_minutes=60)
        WeeklyAvailability.objects.bulk_create(
            WeeklyAvailability(organization=org, coach=coach, weekday=day, start_time=wall(7), end_time=wall(19))
            for day in range(5))
        today = timezone.now().astimezone(tz).date()
        monday = today + timedelta(days=7 - today.weekday())
        sessions = [datetime.combine(monday + timedelta(days=day), wall(hour), tzinfo=tz)
                    for day in range(5) for hour in (8, 11, 15)]
        first_past = datetime.combine(today, wall(6), tzinfo=tz)
        sessions += [first_past - timedelta(hours=3 * n) for n in range(1, past_sessions + 1)]
        TrainingSession.objects.bulk_create(
            TrainingSession(organization=org, coach=coach, session_type=session_type, starts_at=s,
                            ends_at=s + timedelta(hours=1), status="scheduled" if s > timezone.now() else "completed")
            for s in sessions)
    _token, raw = api_token_create(user=owner, organization=org, name="load")
    return Plan(slug=org.slug, coach=coach.pk, session_type=session_type.pk, token=raw,
                monday=monday.isoformat(), sunday=(monday + timedelta(days=6)).isoformat())


# --- the servers ------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(database_url: str, port: int) -> dict[str, str]:
    """Production-like: DEBUG off, JSON logs at WARNING, a secret of its own, the pool's defaults."""
    env = {k: v for k, v in os.environ.items() if k not in {"COACHOS_TESTING", "DEBUG", "PYTEST_CURRENT_TEST"}}
    env.update({
        "DATABASE_URL": database_url, "DEBUG": "0", "COACHOS_TESTING": "0", "LOG_LEVEL": "WARNING",
        "SECRET_KEY": os.environ.get("LOAD_SECRET_KEY", secrets.token_urlsafe(50)),
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}", "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SETTINGS_MODULE": "coachos.settings",
        # One address and one token send every request here: the limits stay on (their cost is part of
        # a request's) but high enough that they are not what is measured.
        "RATE_LIMIT_PUBLIC_IP": "1000000/m", "RATE_LIMIT_PUBLIC_ORG": "1000000/m", "RATE_LIMIT_API_TOKEN": "1000000/m",
    })
    return env


def prepare_server_files(env: dict[str, str]) -> None:
    """The cache table and the collected static files (DEBUG off serves them from the manifest)."""
    python = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable
    for command in (["createcachetable"], ["collectstatic", "--noinput"]):
        subprocess.run([python, "manage.py", *command, "-v0"], cwd=ROOT, env=env, check=True)  # noqa: S603


def start_servers(env: dict[str, str], port: int, *, workers: int = 2) -> subprocess.Popen[bytes]:
    uvicorn = ROOT / ".venv" / "bin" / "uvicorn"
    command = [str(uvicorn) if uvicorn.exists() else "uvicorn", "coachos.asgi:application", "--host", "127.0.0.1",
               "--port", str(port), "--workers", str(workers), "--no-access-log", "--lifespan", "off",
               "--log-level", "warning"]
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)  # noqa: S603


def start_redis() -> tuple[subprocess.Popen[bytes] | None, str]:
    """A throw-away Redis on loopback (no persistence) when the machine has one and REDIS_URL is not set:
    production runs the cache, rate limits and channel layer on Redis. ("", None) without one."""
    if os.environ.get("REDIS_URL"):
        return None, os.environ["REDIS_URL"]
    binary = shutil.which("redis-server")
    if binary is None:
        return None, ""
    port = free_port()
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",  # noqa: S603
                                "no", "--loglevel", "warning"], stdout=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return process, f"redis://127.0.0.1:{port}/0"
        time.sleep(0.05)
    stop_servers(process)
    return None, ""


def stop_servers(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


async def _wait_ready(base: str, path: str, headers: dict[str, str], timeout: float) -> None:
    import aiohttp

    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as session:
        while True:
            try:
                async with session.get(base + path, headers=headers) as response:
                    await response.read()
                    if response.status == 200:
                        return
                    raise SystemExit(f"{path} answered {response.status} while warming up")
            except aiohttp.ClientConnectionError:
                if time.monotonic() > deadline:
                    raise SystemExit("the web servers did not start") from None
                await asyncio.sleep(0.2)


# --- the driver -------------------------------------------------------------------------------------

@dataclass
class Level:
    concurrency: int
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return 0.0
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1)]


async def drive(url: str, headers: dict[str, str], *, concurrency: int, seconds: float) -> Level:
    """``concurrency`` users, each sending its next request when the previous one is answered."""
    import aiohttp

    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def user() -> None:
        nonlocal errors
        connector = aiohttp.TCPConnector(limit=1)
        async with aiohttp.ClientSession(connector=connector, headers=headers) as session:
            while time.perf_counter() < deadline:
                began = time.perf_counter()
                try:
                    async with session.get(url, allow_redirects=False) as response:
                        await response.read()
                        ok = response.status == 200
                except aiohttp.ClientError:
                    ok = False
                if ok:
                    latencies.append((time.perf_counter() - began) * 1000)
                else:
                    errors += 1

    began = time.perf_counter()
    await asyncio.gather(*(user() for _ in range(concurrency)))
    return Level(concurrency, len(latencies), errors, time.perf_counter() - began, latencies)


def measure(base: str, plan: Plan, *, levels: list[int], seconds: float) -> dict[str, list[Level]]:
    results: dict[str, list[Level]] = {}
    for name, (path, headers) in plan.targets().items():
        asyncio.run(drive(base + path, headers, concurrency=2, seconds=min(1.0, seconds)))  # warm the workers
        results[name] = [asyncio.run(drive(base + path, headers, concurrency=n, seconds=seconds)) for n in levels]
    return results


def figures(results: dict[str, list[Level]]) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for name, levels in results.items():
        best = max(level.throughput for level in levels)
        at = next((level for level in levels if level.concurrency == P95_AT), None)
        met = best >= TARGETS[name] and (at is None or at.percentile(95) <= P95_TARGET_MS)
        rows.append((f"{name}: best throughput (target ≥ {TARGETS[name]:.0f}/s, p95 at {P95_AT} ≤ "
                     f"{P95_TARGET_MS:.0f} ms)", f"{best:.0f} req/s — {'met' if met else 'NOT MET'}"))
        for level in levels:
            errors = f", {level.errors} errors" if level.errors else ""
            rows.append((f"  {level.concurrency:>3} concurrent",
                         f"{level.throughput:6.0f} req/s  p50 {level.percentile(50):5.1f} ms  "
                         f"p95 {level.percentile(95):5.1f} ms{errors}"))
    return rows


def run_load(*, database_url: str, levels: list[int], seconds: float, workers: int = 2,
             redis: bool = True) -> list[tuple[str, str]]:
    """Seed (Django must be set up on ``database_url``), serve, drive; the figures."""
    plan = seed()
    port = free_port()
    env = server_env(database_url, port)
    redis_process, redis_url = start_redis() if redis else (None, "")
    if redis_url:
        env["REDIS_URL"] = redis_url
    else:
        env.pop("REDIS_URL", None)
    prepare_server_files(env)
    process = start_servers(env, port, workers=workers)
    base = f"http://127.0.0.1:{port}"
    try:
        for path, headers in plan.targets().values():
            asyncio.run(_wait_ready(base, path, headers, timeout=60))
        results = measure(base, plan, levels=levels, seconds=seconds)
    finally:
        stop_servers(process)
        if redis_process is not None:
            stop_servers(redis_process)
    cache = "Redis" if redis_url else "the database cache (no Redis)"
    return [("setup", f"uvicorn, {workers} workers, PostgreSQL pool, {cache}, DEBUG off; {os.cpu_count()} CPUs; "
                      f"{seconds:g} s per level, loopback")] + figures(results)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="seconds per endpoint and concurrency level")
    parser.add_argument("--levels", default="1,4,8,16,32", help="concurrency levels, comma-separated")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-redis", action="store_true", help="without Redis: the database cache")
    args = parser.parse_args()
    url = fresh_database(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/coachos"))
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coachos.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    rows = run_load(database_url=url, levels=[int(n) for n in args.levels.split(",")], seconds=args.seconds,
                    workers=args.workers, redis=not args.no_redis)
    print("Coach OS under load")
    for label, value in rows:
        print(f"  {label:<72} {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
